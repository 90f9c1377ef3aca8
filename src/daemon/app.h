// The composition root: from argv to a running (or checked) daemon, and its exit status.
#pragma once

namespace masqd::daemon {

// Runs masqd as dnsmasq would be run with the same arguments; returns the exit status.
int run(int argc, char** argv);

}  // namespace masqd::daemon
