# masqd developer entry points. `make run` and `make test` do all set-up on a fresh
# Debian 12 machine (as root). Builds go to build/<type>/ with Ninja.
JOBS ?= $(shell nproc)
PY := /usr/bin/python3
CMAKE_COMMON := -G Ninja -DMASQD_WERROR=ON

.PHONY: all deps build debug asan fuzz run test unit system asan-test fuzz-replay fuzz-smoke \
        ci bench options-doc format clean

all: build

deps:
	@tools/install-deps.sh build

build/release/build.ninja:
	cmake -S . -B build/release $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Release
build/debug/build.ninja:
	cmake -S . -B build/debug $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Debug
build/asan/build.ninja:
	cmake -S . -B build/asan $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Asan
build/fuzz/build.ninja:
	CXX=clang++-14 cmake -S . -B build/fuzz $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Fuzz

build: deps build/release/build.ninja
	ninja -C build/release -j $(JOBS)
debug: deps build/debug/build.ninja
	ninja -C build/debug -j $(JOBS)
asan: deps build/asan/build.ninja
	ninja -C build/asan -j $(JOBS)
fuzz:
	@tools/install-deps.sh fuzz
	$(MAKE) build/fuzz/build.ninja
	ninja -C build/fuzz -j $(JOBS)

# Serve DNS on 127.0.0.1:5353 in the foreground with the sample config (Ctrl-C stops it).
run: build
	./build/release/masqd --keep-in-foreground -C examples/masqd.conf

# Every test: unit tests, then system and compatibility tests against the real binary.
test:
	@tools/install-deps.sh test
	$(MAKE) build
	$(MAKE) unit system

unit:
	cd build/release && ctest --output-on-failure -j $(JOBS)

system:
	MASQD_BIN=$(CURDIR)/build/release/masqd $(PY) -m pytest -q -p no:cacheprovider tests/

# Unit and system tests against the ASan/UBSan build.
asan-test: asan
	cd build/asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1 MASQD_BIN=$(CURDIR)/build/asan/masqd $(PY) -m pytest -q -p no:cacheprovider tests/

# Replay every fuzz corpus through the ASan/UBSan build (no libFuzzer needed).
fuzz-replay: asan
	@set -e; for d in fuzz/corpus/*/; do n=$$(basename $$d); \
	  echo "replay $$n"; ./build/asan/fuzz/$${n}_replay $$d; done

# Run each libFuzzer target briefly (FUZZ_SECONDS each) from its corpus.
FUZZ_SECONDS ?= 20
fuzz-smoke: fuzz
	@set -e; for d in fuzz/corpus/*/; do n=$$(basename $$d); \
	  echo "fuzz $$n for $(FUZZ_SECONDS)s"; \
	  work=$$(mktemp -d); cp -r $$d/. $$work/; \
	  rc=0; ./build/fuzz/fuzz/$${n}_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	     -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=fuzz/ \
	     $$work > $$work.log 2>&1 || rc=$$?; \
	  tail -n 3 $$work.log; \
	  if [ $$rc -ne 0 ]; then tail -n 60 $$work.log; rm -rf $$work $$work.log; \
	    echo "fuzz $$n FAILED (exit $$rc); the input is in fuzz/"; exit 1; fi; \
	  rm -rf $$work $$work.log; done

ci: test asan-test fuzz-replay fuzz-smoke

# Side-by-side benchmarks with dnsmasq (results go in bench/RESULTS.md by hand, with the command).
bench: build
	@tools/install-deps.sh bench
	$(PY) bench/dns_bench.py --mode forward
	$(PY) bench/dns_bench.py --mode hit

options-doc: build
	./build/release/masqd --masqd-options-markdown > docs/options.md

format:
	find src apps fuzz -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf build
