// Network namespaces for partition tests (docs/reliability.md case 33): each node's daemon runs in
// a namespace of its own, and namespaces are linked by veth pairs, so a partition is a link taken
// down in the kernel: packets vanish and nothing tells either side, as when a cable is cut. Made
// with iproute2 (`ip netns`), which needs root; tests skip with the reason otherwise.
#pragma once

#include <string>
#include <vector>

namespace eichub::testing {

// A named network namespace with its loopback up; deleted, with its interfaces, on destruction.
class NetworkNamespace {
 public:
  // name must be unique on the machine (tests add their pid).
  explicit NetworkNamespace(std::string name);
  ~NetworkNamespace();
  NetworkNamespace(const NetworkNamespace&) = delete;
  NetworkNamespace& operator=(const NetworkNamespace&) = delete;

  const std::string& error() const { return error_; }  // "" when made
  const std::string& name() const { return name_; }
  // The file a process opens to enter the namespace with setns(2).
  std::string path() const { return "/var/run/netns/" + name_; }
  // Runs `ip -n <name> args...`: "" on success, else the command and its error output.
  std::string ip(const std::vector<std::string>& args) const;

 private:
  std::string name_;
  std::string error_;
};

// A veth pair between two namespaces: interface a_if in a with address a_cidr, b_if in b with
// b_cidr, both up. Returns "" on success, else why not.
std::string linkNamespaces(const NetworkNamespace& a, const std::string& a_if,
                           const std::string& a_cidr, const NetworkNamespace& b,
                           const std::string& b_if, const std::string& b_cidr);

// Why network namespaces cannot be made here ("" when they can): not root, or no `ip`.
std::string networkNamespacesUnavailable();

}  // namespace eichub::testing
