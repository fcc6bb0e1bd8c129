// checkRecordValues: a walk planned once from the Record schema.
#include "node/catalog/record_values.h"

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <capnp/any.h>
#include <capnp/dynamic.h>
#include <capnp/schema.h>

#include "federation/common/check.h"
#include "federation/common/utf8.h"
#include "node/catalog/change.h"

namespace eichub::catalog {

namespace {

// Where the walk is in the record: a chain of parts on the stack, turned into a string such as
// "learningResource.title[1].text" only when a check fails (valid records build none).
struct Path {
  const Path* parent = nullptr;
  std::string_view field;  // a struct field, or empty for a list element
  unsigned index = 0;      // the list element, when field is empty

  std::string str() const {
    if (parent == nullptr) return std::string(field);
    std::string out = parent->str();
    if (field.empty()) return out + "[" + std::to_string(index) + "]";
    return out.empty() ? std::string(field) : out + "." + std::string(field);
  }
};

struct StructPlan;

// What one pointer may hold and how it is checked.
struct TypePlan {
  enum class Shape : uint8_t {
    kText,
    kStruct,
    kStructList,  // each element checked as structure
    kTextList,
    kScalarList,  // numbers, bools, enums: only the length (read through scalar_list's schema)
    kRefused,     // Data, AnyPointer, interfaces, and lists of them
  };
  Shape shape = Shape::kRefused;
  const StructPlan* structure = nullptr;  // kStruct, kStructList
  capnp::ListSchema scalar_list;          // kScalarList
};

inline constexpr uint16_t kNoDiscriminant = capnp::schema::Field::NO_DISCRIMINANT;

// A field that needs a check: a pointer.
struct FieldPlan {
  std::string name;
  uint16_t discriminant = kNoDiscriminant;  // the union member's value, or none
  uint32_t pointer = 0;                     // its index in the pointer section
  const TypePlan* type = nullptr;
};

struct StructPlan {
  bool has_union = false;
  uint32_t discriminant_offset = 0;  // in 16-bit units of the data section
  std::vector<FieldPlan> fields;     // scalar fields need no check and are left out
};

bool isPointer(capnp::Type type) {
  return type.isText() || type.isData() || type.isList() || type.isStruct() ||
         type.isAnyPointer() || type.isInterface();
}

// Every plan reachable from Record, built once. Plans point at each other, so they live in
// containers whose elements never move.
class RecordPlan {
 public:
  RecordPlan() { root_ = structPlan(capnp::Schema::from<schema::Record>()); }
  const StructPlan& root() const { return *root_; }

 private:
  const StructPlan* structPlan(capnp::StructSchema schema) {
    const uint64_t id = schema.getProto().getId();
    if (auto found = structs_.find(id); found != structs_.end()) return found->second.get();
    auto owned = std::make_unique<StructPlan>();
    StructPlan* plan = owned.get();
    structs_.emplace(id, std::move(owned));  // before the fields: a type may contain itself
    auto proto = schema.getProto().getStruct();
    plan->has_union = proto.getDiscriminantCount() > 0;
    plan->discriminant_offset = proto.getDiscriminantOffset();
    for (capnp::StructSchema::Field field : schema.getFields()) {
      auto field_proto = field.getProto();
      FieldPlan out;
      out.name = field_proto.getName().cStr();
      out.discriminant = field_proto.getDiscriminantValue();
      // No record holds a group; checking one would walk its fields in this same struct.
      EICHUB_CHECK(!field_proto.isGroup()) << "record_values: a group in the Record schema";
      capnp::Type type = field.getType();
      if (!isPointer(type)) continue;  // numbers, bools, enums, void
      out.pointer = field_proto.getSlot().getOffset();
      out.type = typePlan(type);
      plan->fields.push_back(std::move(out));
    }
    return plan;
  }

  const TypePlan* typePlan(capnp::Type type) {
    TypePlan& plan = types_.emplace_back();
    using Shape = TypePlan::Shape;
    if (type.isText()) {
      plan.shape = Shape::kText;
    } else if (type.isStruct()) {
      plan.shape = Shape::kStruct;
      plan.structure = structPlan(type.asStruct());
    } else if (type.isList()) {
      capnp::ListSchema list = type.asList();
      capnp::Type element = list.getElementType();
      if (element.isStruct()) {
        plan.shape = Shape::kStructList;
        plan.structure = structPlan(element.asStruct());
      } else if (element.isText()) {
        plan.shape = Shape::kTextList;
      } else if (element.isList()) {
        // No record holds one; checking one needs a walk through AnyList that this plan lacks.
        EICHUB_CHECK(false) << "record_values: a list of lists in the Record schema";
      } else if (isPointer(element)) {
        plan.shape = Shape::kRefused;
      } else {
        plan.shape = Shape::kScalarList;
        plan.scalar_list = list;
      }
    }
    return &plan;
  }

  std::map<uint64_t, std::unique_ptr<StructPlan>> structs_;
  std::deque<TypePlan> types_;
  const StructPlan* root_ = nullptr;
};

const RecordPlan& recordPlan() {
  static const RecordPlan plan;
  return plan;
}

Status refusedType(const Path& path) {
  return Status::InvalidArgument(path.str() + " has a type records never hold");
}

Status checkListSize(unsigned size, const Path& path) {
  if (size <= kMaxListEntries) return Status::OK();
  return Status::InvalidArgument(path.str() + " has more than " + std::to_string(kMaxListEntries) +
                                 " entries");
}

Status checkText(capnp::Text::Reader text, const Path& path) {
  if (text.size() > kMaxTextBytes) {
    return Status::InvalidArgument(path.str() + " is longer than " + std::to_string(kMaxTextBytes) +
                                   " bytes");
  }
  if (!isValidUtf8({text.begin(), text.size()})) {
    return Status::InvalidArgument(path.str() + " is not valid UTF-8");
  }
  return Status::OK();
}

Status checkStruct(capnp::AnyStruct::Reader reader, const StructPlan& plan, const Path& path);

Status checkPointer(capnp::AnyPointer::Reader pointer, const TypePlan& type, const Path& path) {
  using Shape = TypePlan::Shape;
  switch (type.shape) {
    case Shape::kStruct:
      return checkStruct(pointer.getAs<capnp::AnyStruct>(), *type.structure, path);
    case Shape::kText:
      return checkText(pointer.getAs<capnp::Text>(), path);
    case Shape::kStructList: {
      // Read as AnyList, which takes any element size: a typed struct list refuses only a list
      // of bits (a malformed record), so this does too.
      auto any = pointer.getAs<capnp::AnyList>();
      if (any.getElementSize() == capnp::ElementSize::BIT) {
        return Status::InvalidArgument("malformed record", path.str() + " is a list of bits");
      }
      auto list = any.as<capnp::List<capnp::AnyStruct>>();
      EICHUB_RETURN_IF_ERROR(checkListSize(list.size(), path));
      for (unsigned i = 0; i < list.size(); ++i) {
        EICHUB_RETURN_IF_ERROR(checkStruct(list[i], *type.structure, Path{&path, {}, i}));
      }
      return Status::OK();
    }
    case Shape::kTextList: {
      auto list = pointer.getAs<capnp::List<capnp::Text>>();
      EICHUB_RETURN_IF_ERROR(checkListSize(list.size(), path));
      for (unsigned i = 0; i < list.size(); ++i) {
        EICHUB_RETURN_IF_ERROR(checkText(list[i], Path{&path, {}, i}));
      }
      return Status::OK();
    }
    case Shape::kScalarList:
      // Read as its schema's list, so that a list of the wrong element size is malformed.
      return checkListSize(pointer.getAs<capnp::DynamicList>(type.scalar_list).size(), path);
    case Shape::kRefused:
      return refusedType(path);
  }
  return refusedType(path);
}

// The union's discriminant: 0 when the data section is too short to hold it (an older writer).
uint16_t discriminantOf(capnp::AnyStruct::Reader reader, uint32_t offset) {
  kj::ArrayPtr<const kj::byte> data = reader.getDataSection();
  const size_t at = size_t{offset} * 2;
  if (at + 2 > data.size()) return 0;
  return static_cast<uint16_t>(data[at] | (data[at + 1] << 8));  // little-endian on the wire
}

Status checkStruct(capnp::AnyStruct::Reader reader, const StructPlan& plan, const Path& path) {
  const uint16_t active = plan.has_union ? discriminantOf(reader, plan.discriminant_offset) : 0;
  auto pointers = reader.getPointerSection();
  for (const FieldPlan& field : plan.fields) {
    if (field.discriminant != kNoDiscriminant && field.discriminant != active) continue;
    // A pointer past the section was not written (an older, shorter struct): null.
    if (field.pointer >= pointers.size() || pointers[field.pointer].isNull()) continue;
    EICHUB_RETURN_IF_ERROR(
        checkPointer(pointers[field.pointer], *field.type, Path{&path, field.name, 0}));
  }
  return Status::OK();
}

}  // namespace

Status checkRecordValues(schema::Record::Reader record) {
  return checkStruct(capnp::AnyStruct::Reader(record), recordPlan().root(), Path{});
}

}  // namespace eichub::catalog
