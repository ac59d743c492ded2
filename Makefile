# SPDX-License-Identifier: GPL-2.0-or-later
# Convenience targets over meson/ninja.
#   make          build into build/
#   make run      install deps, build, run the demo
#   make check    install deps, build, run every test suite
#   make bench    run the benchmarks (ours beside QEMU 7.2)

BUILD ?= build
NINJA ?= ninja

.PHONY: all build deps run check check-unit check-tsa check-iotests \
        check-iotests-reference bench clean distclean

all: build

deps:
	@sh scripts/install-deps.sh

$(BUILD)/build.ninja:
	./configure --builddir=$(BUILD)

build: $(BUILD)/build.ninja
	$(NINJA) -C $(BUILD)

run: deps build
	@sh scripts/demo.sh $(BUILD)

check: deps build
	@sh scripts/run-checks.sh $(BUILD)

check-unit: build
	meson test -C $(BUILD) --suite unit --print-errorlogs

check-tsa:
	@sh scripts/run-checks.sh $(BUILD) tsa

check-iotests: build
	@sh scripts/run-checks.sh $(BUILD) iotests

# Run our iotests against the installed QEMU 7.2 tools (qemu-utils).
check-iotests-reference:
	cd tests/qemu-iotests && QEMU_IMG_PROG=$$(command -v qemu-img) \
	    QEMU_IO_PROG=$$(command -v qemu-io) QEMU_NBD_PROG=$$(command -v qemu-nbd) \
	    ./check -raw && QEMU_IMG_PROG=$$(command -v qemu-img) \
	    QEMU_IO_PROG=$$(command -v qemu-io) QEMU_NBD_PROG=$$(command -v qemu-nbd) \
	    ./check -qcow2

bench: deps build
	@sh scripts/run-bench.sh $(BUILD)

clean:
	-$(NINJA) -C $(BUILD) clean

distclean:
	rm -rf $(BUILD) build-tsa build-asan
