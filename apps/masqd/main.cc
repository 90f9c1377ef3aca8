// masqd: a drop-in replacement for dnsmasq. All the work is in daemon::run.
#include "daemon/app.h"

int main(int argc, char** argv) { return masqd::daemon::run(argc, argv); }
