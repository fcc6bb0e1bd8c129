// Tests for nameThisThread (federation/common/thread_name.h): the name the kernel shows, and the
// cut at 15 bytes.
#include "federation/common/thread_name.h"

#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <pthread.h>

namespace eichub {
namespace {

std::string nameOfThreadNamed(const std::string& name) {
  std::string seen;
  std::thread thread([&] {
    nameThisThread(name);
    char buffer[64] = {};
    if (pthread_getname_np(pthread_self(), buffer, sizeof(buffer)) == 0) seen = buffer;
  });
  thread.join();
  return seen;
}

TEST(ThreadNameTest, TheKernelShowsTheName) { EXPECT_EQ(nameOfThreadNamed("writer"), "writer"); }

TEST(ThreadNameTest, ANameOverFifteenBytesIsCutThere) {
  EXPECT_EQ(nameOfThreadNamed("http-health-lane-0"), "http-health-lan");
}

}  // namespace
}  // namespace eichub
