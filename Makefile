# lode: `make run` and `make test` are all a newcomer needs (see README.md).
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
LISTEN ?= 0.0.0.0:3100
DATA_DIR ?= ./data
# `make test SANITIZE=address,undefined`: the whole tree and its tests with
# sanitizers, in their own build directory.
SANITIZE ?=
CMAKE_EXTRA :=
ifneq ($(SANITIZE),)
BUILD_DIR := build-san
BUILD_TYPE := RelWithDebInfo
CMAKE_EXTRA := -DLODE_SANITIZE=$(SANITIZE)
endif

DEB_PACKAGES := build-essential cmake ccache pkg-config python3 \
	librocksdb-dev libzstd-dev libre2-dev libboost-dev libboost-system-dev \
	libprotobuf-dev protobuf-compiler nlohmann-json3-dev libsnappy-dev \
	libyaml-cpp-dev libbenchmark-dev libgtest-dev zlib1g-dev libssl-dev libcrypt-dev \
	nodejs npm

# Only the tests need these (real clients and servers to test against, a
# browser for the explorer); `make run` never installs them.
TEST_DEB_PACKAGES := nodejs npm xz-utils chromium prometheus prometheus-alertmanager openssl \
	docker.io busybox-static

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps test-deps configure build run test bench clean format fuzz fuzz-build sanitize-unit

# Installs the Debian packages of $(1) that are missing. A command of the
# package's name counts as installed (NodeSource's nodejs ships npm and
# conflicts with Debian's npm package).
define install_missing
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || command -v $$p >/dev/null || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
endef

deps:
	$(call install_missing,$(DEB_PACKAGES))

test-deps:
	$(call install_missing,$(TEST_DEB_PACKAGES))

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_EXTRA)

configure: deps $(BUILD_DIR)/CMakeCache.txt

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/lode --listen $(LISTEN) --data-dir $(DATA_DIR)

test: build test-deps
	cd $(BUILD_DIR) && ctest --output-on-failure -j 1

# libFuzzer targets under ASan + UBSan (clang), in their own build directory.
# `make fuzz` builds them and replays each target's seed corpus and past
# crashes (fuzz/corpus, fuzz/regressions); FUZZ_SECONDS=N explores N seconds
# per target instead (fuzz/run.sh; CI replays only, developers explore 20 s
# before committing).
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 0

fuzz-build: deps
	@command -v clang++ >/dev/null || $(SUDO) apt-get install -y -qq clang
	cmake -S . -B $(FUZZ_DIR) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DLODE_FUZZ=ON -DLODE_BUILD_TESTS=ON -DLODE_BUILD_BENCH=OFF -DLODE_WERROR=OFF
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target fuzz_targets

fuzz: fuzz-build
	fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

# The unit tests that start no lode process, under ASan + UBSan: built in the
# fuzz tree on its already sanitized libraries, so they cost CI little (the
# subset CI runs; `make test SANITIZE=address,undefined` runs every test).
SAN_UNIT_TESTS := base_test storage_test logql_test ingest_test pattern_test ruler_test logqltest_test

sanitize-unit: fuzz-build
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target $(SAN_UNIT_TESTS)
	cd $(FUZZ_DIR) && ctest --output-on-failure -j 1 \
	  -R '^(base|storage|logql|ingest|pattern|ruler|logqltest)_test$$|^logqltest_suite$$|^logql_parser_corpus$$'

bench: build
	bench/run.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')
