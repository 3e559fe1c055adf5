# The two commands a newcomer needs: `make run` and `make test`.
# Everything installs what it needs first (scripts/install-deps.sh).

BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
LISTEN ?= 127.0.0.1:8080
DB ?= allot.db

CMAKE_FLAGS = -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DCMAKE_EXPORT_COMPILE_COMMANDS=ON

.PHONY: deps configure build run test clean

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

# Builds everything and runs every test (unit, store, black-box, concurrency).
test: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)
	cd $(BUILD_DIR) && ctest --output-on-failure --timeout 600 -j $(JOBS)

clean:
	rm -rf $(BUILD_DIR)
