// Network namespaces and veth pairs through iproute2.
#include "tests/faults/network_namespace.h"

#include <filesystem>

#include <unistd.h>

#include "tests/testing/process.h"

namespace eichub::testing {
namespace {

constexpr char kIp[] = "/usr/sbin/ip";

// Runs ip with args: "" on success, else the command line and what it printed.
std::string runIp(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {kIp};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult r = runProcess(argv);
  if (r.exit_code == 0) return "";
  std::string line = "ip";
  for (const std::string& a : args) line += " " + a;
  return line + ": " + r.err;
}

}  // namespace

std::string networkNamespacesUnavailable() {
  if (::geteuid() != 0) return "network namespaces need root";
  if (!std::filesystem::exists(kIp)) return std::string(kIp) + " is missing (package iproute2)";
  return "";
}

NetworkNamespace::NetworkNamespace(std::string name) : name_(std::move(name)) {
  error_ = runIp({"netns", "add", name_});
  if (error_.empty()) error_ = ip({"link", "set", "lo", "up"});
}

NetworkNamespace::~NetworkNamespace() {
  if (std::filesystem::exists(path())) runIp({"netns", "delete", name_});
}

std::string NetworkNamespace::ip(const std::vector<std::string>& args) const {
  std::vector<std::string> full = {"-n", name_};
  full.insert(full.end(), args.begin(), args.end());
  return runIp(full);
}

std::string linkNamespaces(const NetworkNamespace& a, const std::string& a_if,
                           const std::string& a_cidr, const NetworkNamespace& b,
                           const std::string& b_if, const std::string& b_cidr) {
  std::string error = runIp({"link", "add", a_if, "netns", a.name(), "type", "veth", "peer", "name",
                             b_if, "netns", b.name()});
  if (error.empty()) error = a.ip({"addr", "add", a_cidr, "dev", a_if});
  if (error.empty()) error = b.ip({"addr", "add", b_cidr, "dev", b_if});
  if (error.empty()) error = a.ip({"link", "set", a_if, "up"});
  if (error.empty()) error = b.ip({"link", "set", b_if, "up"});
  return error;
}

}  // namespace eichub::testing
