# Utväg Hub — the two commands: `make up` and `make test`.
SHELL := /bin/bash
DATA_DIR ?= data
CONFIG_DIR ?= config

.PHONY: up test bench clean setup build

setup:
	bash scripts/setup.sh

build:
	swift build

up: setup build
	.build/debug/hub up --data-dir $(DATA_DIR) --config $(CONFIG_DIR)

test:
	bash scripts/test.sh

bench: setup
	swift build -c release
	.build/release/hub bench bus

clean:
	swift package clean
	rm -rf .build/test-logs
