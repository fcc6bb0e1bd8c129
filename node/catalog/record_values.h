// The value limits of a catalogue record received as bytes: every text valid UTF-8 and at most
// kMaxTextBytes, every list at most kMaxListEntries entries, no field of a type records never
// hold (Data, AnyPointer, interfaces).
//
// A receiver checks every body it is sent (a catch-up checks tens of thousands a second), so the
// walk does not use Cap'n Proto's reflection per value, whose type lookups were most of a
// receiver's check: what to look at in each struct (which pointer, which union member, which
// type) is derived once from the schema (a RecordPlan), and the walk reads pointers through
// AnyStruct, typed Text lists and AnyList. The plan covers what the Record schema uses (texts,
// structs, lists of texts, structs or scalars, unions); a group or a list of lists added to it
// stops the first check with a message saying so, which any test that checks a record shows.
#pragma once

#include "federation/common/result.h"
#include "schemas/catalog.capnp.h"

namespace eichub::catalog {

// Checks every value of record against the limits above. Errors: InvalidArgument naming the
// field at fault ("learningResource.title[1].text is not valid UTF-8"). May throw kj::Exception
// on a malformed message, as any read of one does.
Status checkRecordValues(schema::Record::Reader record);

}  // namespace eichub::catalog
