#!/usr/bin/perl
# A harvest by HTTP::OAI::Harvester (Debian's libhttp-oai-perl), which the OAI-PMH test drives:
#   oai_harvest.pl BASE_URL VERB [NAME=VALUE ...]
# Prints "id IDENTIFIER" (with " deleted" for a deleted record) per item, following resumption
# tokens, or "error CODE" per OAI error (noRecordsMatch included, which HTTP::OAI counts as a
# success). Requests go out with force, so that the server, not the client, refuses bad ones.
use strict;
use warnings;
use HTTP::OAI;

my ($base, $verb, @pairs) = @ARGV;
my %args = map { split /=/, $_, 2 } @pairs;
my $harvester = HTTP::OAI::Harvester->new(baseURL => $base, resume => 1);
sub print_item {
  my ($item) = @_;
  my $header = $item->can('header') ? $item->header : $item;
  print "id ", $header->identifier, ($header->is_deleted ? " deleted" : ""), "\n";
}
# The harvester follows resumption tokens itself, handing each item to onRecord.
my %list = $verb =~ /^List/ ? (onRecord => \&print_item) : ();
my $response = $harvester->$verb(%args, %list, force => 1);
sub report_errors {
  my ($r) = @_;
  my @errors = $r->errors;
  print "error ", $_->code, "\n" for @errors;
  print "error http ", $r->code, " ", $r->message, "\n" if $r->is_error && !@errors;
  return $r->is_error || @errors;
}
exit 0 if report_errors($response);
if ($verb eq 'Identify') {
  print "name ", $response->repositoryName, "\n";
  print "deleted ", $response->deletedRecord, "\n";
  print "granularity ", $response->granularity, "\n";
  exit 0;
}
if ($verb eq 'GetRecord') {
  print_item($response->next);
}
