# The two commands a newcomer needs: `make run` and `make test`.
# Everything installs what it needs first (scripts/install-deps.sh).

BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
LISTEN ?= 127.0.0.1:8080
DB ?= allot.db

# ccache (when installed) sees paths relative to the checkout, so a second
# clone or worktree reuses what the first compiled.
export CCACHE_BASEDIR ?= $(CURDIR)

CMAKE_FLAGS = -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DCMAKE_EXPORT_COMPILE_COMMANDS=ON

.PHONY: deps configure build run test deb test-asan test-tsan clean

deps:
	@bash scripts/install-deps.sh

configure: deps
	@if [ ! -f $(BUILD_DIR)/build.ninja ]; then cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS); fi

# Release server binary at build/allot.
build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target allot

# Builds and serves on the SQLite default (allot.db in this directory).
run: build
	./$(BUILD_DIR)/allot serve --listen $(LISTEN) --db $(DB)

# The Debian package: $(BUILD_DIR)/allot_<version>_amd64.deb (packaging/).
deb: build
	cmake --build $(BUILD_DIR) --target allot_changelog
	cd $(BUILD_DIR) && cpack -G DEB

# Builds everything and runs every test (unit, store, black-box, concurrency).
test: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)
	cd $(BUILD_DIR) && ctest --output-on-failure --timeout 600 -j $(JOBS)

# The whole suite under sanitizers, each in its own build dir. g++ 12, not
# clang 14: clang 14 cannot use libstdc++ 12's std::expected (it needs
# __cpp_concepts >= 202002L and conditionally trivial special members, which
# clang 14 lacks), and every layer returns std::expected. Black-box tests
# spawn the server from the same build dir, so it runs instrumented too; the
# options make any report fail its test.
SAN_CMAKE_FLAGS = -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ \
  -DALLOT_FUZZ_TESTS=OFF
SAN_SUPP = $(CURDIR)/tests/sanitizers
ASAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
TSAN_FLAGS = -fsanitize=thread -fno-omit-frame-pointer

test-asan: deps
	@if [ ! -f build-asan/build.ninja ]; then cmake -S . -B build-asan $(SAN_CMAKE_FLAGS) \
	  -DCMAKE_CXX_FLAGS="$(ASAN_FLAGS)" -DCMAKE_EXE_LINKER_FLAGS="$(ASAN_FLAGS)" \
	  -DCMAKE_SHARED_LINKER_FLAGS="$(ASAN_FLAGS)"; fi
	cmake --build build-asan -j $(JOBS)
	cd build-asan && \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  LSAN_OPTIONS=suppressions=$(SAN_SUPP)/lsan.supp \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure --timeout 1200 -j $(JOBS)

test-tsan: deps
	@if [ ! -f build-tsan/build.ninja ]; then cmake -S . -B build-tsan $(SAN_CMAKE_FLAGS) \
	  -DCMAKE_CXX_FLAGS="$(TSAN_FLAGS)" -DCMAKE_EXE_LINKER_FLAGS="$(TSAN_FLAGS)" \
	  -DCMAKE_SHARED_LINKER_FLAGS="$(TSAN_FLAGS)"; fi
	cmake --build build-tsan -j $(JOBS)
	cd build-tsan && \
	  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$(SAN_SUPP)/tsan.supp \
	  ctest --output-on-failure --timeout 1200 -j $(JOBS)

clean:
	rm -rf $(BUILD_DIR)
