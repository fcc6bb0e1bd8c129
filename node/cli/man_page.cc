#include "node/cli/man_page.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "node/cli/cli_tree.h"

namespace eichub::cli {

namespace {

// What a node is, for DESCRIPTION: the app tree holds only the one-line summary.
constexpr std::string_view kDescription = R"(Each regional cluster runs a node that keeps its own
catalogue of skills (ESCO and local additions), learning resources, providers, cluster profiles
and skills needs. Every change is an update in the node's feed: Ed25519\-signed, hash\-chained
and stored in LMDB; nodes exchange their feeds with their peers over ZeroMQ.
)";

// The text of the sections the app tree does not hold: where a packaged node keeps its state.
constexpr std::string_view kTrailer = R"(.SH ENVIRONMENT
.TP
.B EICHUB_HOME
The node's home directory when \fB\-\-home\fR is not given.
.TP
.B EICHUB_HTTP_API_TOKEN
The bearer token the HTTP API requires for writes, instead of \fBhttp.api_token\fR.
.PP
Other \fBEICHUB_*\fR variables override keys of \fIconfig.toml\fR; precedence is flag, then
environment, then file, then default.
.SH FILES
.TP
.I /var/lib/eichub
The packaged node's home (owned by the \fBeichub\fR user, mode 0750): \fIconfig.toml\fR,
\fIpeers.toml\fR, the node's keys and its LMDB store.
.TP
.I /etc/eichub/env
Secrets for the service (\fBEICHUB_HTTP_API_TOKEN=...\fR), mode 0600, owned by root.
.TP
.I /lib/systemd/system/eichub.service
The systemd unit: \fBsystemctl enable \-\-now eichub\fR after \fBeichub init\fR;
\fBsystemctl reload eichub\fR re\-reads \fIpeers.toml\fR and \fIconfig.toml\fR.
.SH EXIT STATUS
0 on success, 1 on a failure (reported on standard error with what to do next), 2 on a usage
error.
.SH SEE ALSO
.BR systemctl (1),
.BR journalctl (1)
)";

std::string upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

// Every line of text, escaped, as filled roff text.
std::string paragraph(std::string_view text) { return roffEscape(text) + "\n"; }

// One option as --help shows it: its spellings in bold, then its value and notes in italics.
void writeOption(std::ostringstream& out, const CLI::Formatter& formatter,
                 const CLI::Option& option, bool positional) {
  out << ".TP\n";
  if (positional) {
    out << "\\fI" << roffEscape(option.get_name(true, false)) << "\\fR";
  } else {
    bool first = true;
    for (const std::string& spelling : optionSpellings(option)) {
      out << (first ? "" : ", ") << "\\fB" << roffEscape(spelling) << "\\fR";
      first = false;
    }
    if (std::string opts = formatter.make_option_opts(&option); !opts.empty()) {
      out << "\\fI" << roffEscape(opts) << "\\fR";
    }
  }
  out << "\n" << paragraph(option.get_description());
}

void writeCommand(std::ostringstream& out, const CLI::Formatter& formatter,
                  const CommandNode& node) {
  const CLI::App& app = *node.app;
  std::string usage = formatter.make_usage(&app, node.path);
  usage = usage.substr(usage.find(':') + 2);  // drops "Usage: "
  while (!usage.empty() && usage.back() == '\n') usage.pop_back();
  out << ".SS \"" << roffEscape(node.path) << "\"\n" << paragraph(app.get_description());
  out << ".PP\n\\fB" << roffEscape(usage) << "\\fR\n";
  for (const CLI::Option* option : visiblePositionals(app)) {
    writeOption(out, formatter, *option, true);
  }
  for (const CLI::Option* option : visibleOptions(app)) {
    writeOption(out, formatter, *option, false);
  }
  if (auto subs = visibleSubcommands(app); !subs.empty()) {
    out << ".PP\nSubcommands:";
    for (const CLI::App* sub : subs) out << " \\fB" << roffEscape(sub->get_name()) << "\\fR";
    out << "\n";
  }
}

}  // namespace

std::string roffEscape(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    line_start = c == '\n';
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
  }
  return out;
}

std::string manPage(const CLI::App& app, std::string_view name, std::string_view version) {
  CLI::Formatter formatter;
  std::string summary = app.get_description();
  if (std::string prefix = std::string(name) + ": "; summary.rfind(prefix, 0) == 0) {
    summary.erase(0, prefix.size());
  }
  std::ostringstream out;
  out << ".TH " << upper(name) << " 1 \"\" \"" << roffEscape(name) << " " << roffEscape(version)
      << "\" \"User Commands\"\n";
  out << ".SH NAME\n" << roffEscape(name) << " \\- " << paragraph(summary);
  out << ".SH SYNOPSIS\n.B " << roffEscape(name) << "\n.I subcommand\n[\\fIoptions\\fR]\n";
  out << ".SH DESCRIPTION\n\\fB" << roffEscape(name) << "\\fR is " << paragraph(summary + ".")
      << kDescription << ".PP\nEach subcommand is described below with its options; "
      << "\\fB" << roffEscape(name) << " \\fIsubcommand\\fB \\-\\-help\\fR prints the same.\n";
  auto nodes = visibleCommands(app, std::string(name));
  out << ".SH OPTIONS\n";
  for (const CLI::Option* option : visibleOptions(app)) {
    writeOption(out, formatter, *option, false);
  }
  out << ".SH COMMANDS\n";
  for (size_t i = 1; i < nodes.size(); ++i) writeCommand(out, formatter, nodes[i]);
  out << kTrailer;
  return out.str();
}

}  // namespace eichub::cli
