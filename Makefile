# `make bench` and `make test` set up everything they need on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip install --disable-pip-version-check -c requirements/constraints.txt
STAMP := $(VENV)/.installed
DEVICE ?= host
MATRIX ?= configs/matrices/default.yaml
MODE ?=
RESUME ?=
BENCH_FLAGS := $(if $(MODE),--mode $(MODE)) $(if $(RESUME),--resume $(RESUME))
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

NATIVE_RUNNERS := build/native/executorch_runner build/native/torchscript_runner
NATIVE_SOURCES := native/CMakeLists.txt $(wildcard native/*/*.cpp native/*/*.h)

.PHONY: bench plan report test lint test-slow test-device android-app ios-app venv lock schema clean-venv adb browser native-runners native-tools

bench: $(STAMP) adb native-runners
	$(BIN)/harness bench --matrix $(MATRIX) --device $(DEVICE) $(BENCH_FLAGS)
	$(BIN)/harness report --results results

# The latest run's report.html; RUN=results/<run-id> for another. Offline: everything is inside the file.
report: $(STAMP)
	$(BIN)/harness report $(if $(RUN),$(RUN),--results results)

plan: $(STAMP)
	$(BIN)/harness plan --matrix $(MATRIX) --device $(DEVICE)

# The linter and the type checker first: they take seconds, the suite minutes.
test: $(STAMP) adb browser lint native-runners
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check harness tests benchmarks
	$(BIN)/mypy

# On a phone that is attached: the shell conformance suite against the app, and the phone smoke tests.
test-device: $(STAMP) adb
	HARNESS_TEST_DEVICE=$(DEVICE) $(BIN)/pytest -m device

# The Android app (android-app/): one APK per flavor (android-app/runtimes.json). Needs an Android SDK
# (ANDROID_HOME) and JDK 17 or 21, the JDKs Gradle 8.14 and AGP 8.13 run on; Gradle comes with ./gradlew.
android-app:
	@sdk="$${ANDROID_HOME:-$${ANDROID_SDK_ROOT:-}}"; \
	if [ -z "$$sdk" ] || [ ! -d "$$sdk/platforms" ]; then \
		echo "make android-app: no Android SDK. Install one (Android Studio, or the command-line tools with" >&2; \
		echo "  sdkmanager 'platforms;android-35' 'build-tools;35.0.0') and set ANDROID_HOME." >&2; exit 1; fi; \
	java="$${JAVA_HOME:+$$JAVA_HOME/bin/}java"; \
	if ! command -v "$$java" >/dev/null || ! "$$java" -version 2>&1 | grep -qE 'version "(17|21)[."]'; then \
		echo "make android-app: Gradle runs on JAVA_HOME's java, else the one on PATH ($$java): it must be JDK 17 or 21." >&2; exit 1; fi; \
	tests=$$(python3 -c 'import json; print(" ".join("test" + f[0].upper() + f[1:] + "ReleaseUnitTest" \
		for f in json.load(open("android-app/runtimes.json"))["flavors"]))'); \
	cd android-app && ./gradlew --no-daemon assembleRelease $$tests
	@for apk in android-app/app/build/outputs/apk/*/release/*.apk; do \
		echo "== $$apk: $$(du -k "$$apk" | cut -f1) KiB"; \
		for abi in arm64-v8a x86_64; do \
			echo "   $$abi native libraries: $$(unzip -l "$$apk" "lib/$$abi/*" 2>/dev/null | tail -1 | awk '{print int($$1/1024)}') KiB"; done; \
		for so in $$(unzip -Z1 "$$apk" 'lib/*.so'); do \
			align=$$(unzip -p "$$apk" "$$so" > /tmp/mb-lib.so && command -v readelf >/dev/null && \
				readelf -lW /tmp/mb-lib.so | awk '$$1 == "LOAD" {print $$NF}' | sort -u | tr '\n' ' '); \
			echo "   $$so $$(( $$(unzip -Zl "$$apk" "$$so" | awk '{print $$4}') / 1024 )) KiB, ELF LOAD alignment: $${align:-unknown (no readelf)}"; \
		done; rm -f /tmp/mb-lib.so; \
	done
	@echo "app mode installs each flavor's APK when android-app/version.properties is newer than the phone's"

# The iOS app (ios-app/): needs a Mac with Xcode, XcodeGen and CocoaPods, and ios-app/Local.xcconfig with a team
# id (ios-app/README.md). Generates the project, installs the pods, builds for a device, runs ShellCore's tests.
IOS_TOOLS_MISSING = $(strip $(foreach tool,xcodebuild xcodegen pod,$(if $(shell command -v $(tool) 2>/dev/null),,$(tool))))
ios-app:
	$(if $(filter Darwin,$(shell uname -s)),,$(error make ios-app needs a Mac with Xcode; see ios-app/README.md))
	$(if $(IOS_TOOLS_MISSING),$(error make ios-app: $(IOS_TOOLS_MISSING) missing (Xcode; brew install xcodegen cocoapods)))
	$(if $(wildcard ios-app/Local.xcconfig),,$(error make ios-app: copy ios-app/Local.xcconfig.example to ios-app/Local.xcconfig and set your team id))
	cd ios-app/ShellCore && swift test
	cd ios-app && xcodegen generate && pod install
	cd ios-app && xcodebuild -workspace MobileBenchShell.xcworkspace -scheme MobileBenchShell -configuration Release \
		-destination 'generic/platform=iOS' -derivedDataPath build -allowProvisioningUpdates build
	@echo "built ios-app/build/Build/Products/Release-iphoneos/MobileBenchShell.app (version $$(python3 -c \
		'import json; print(json.load(open("ios-app/app.json"))["version"])'))"

# Debian's adb: phones, and the tests' emulated phone, are reached through a real adb server.
adb:
	@command -v adb >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq adb; }

# Debian's chromium and its driver: the tests open the report in it, and `harness report --png` draws with it.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		{ $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium chromium-driver; }

# The native host runners (native/: ExecuTorch's and the lite interpreter's), on the executorch and torch wheels'
# CMake packages, headers and libraries; rebuilt only when their sources or the installed packages change. Needs
# CMake >= 3.28 (the test extra's cmake) and Debian's g++ and nlohmann-json3-dev. The size reader's tests also
# build aarch64 ELF files (gcc-aarch64-linux-gnu) and iOS Mach-O files (clang, lld, and llvm's llvm-size and llvm-lipo).
native-runners: $(NATIVE_RUNNERS)

$(NATIVE_RUNNERS) &: $(NATIVE_SOURCES) $(STAMP) | native-tools
	$(BIN)/cmake -S native -B build/native -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$$($(BIN)/python -c \
		'import importlib.util as u; print(";".join(u.find_spec(p).submodule_search_locations[0] + "/share/cmake" for p in ("executorch", "torch")))')"
	$(BIN)/cmake --build build/native -j 2
	@touch $(NATIVE_RUNNERS)

native-tools:
	@command -v g++ >/dev/null && [ -f /usr/include/nlohmann/json.hpp ] && command -v aarch64-linux-gnu-gcc >/dev/null \
		&& command -v clang >/dev/null && command -v ld.lld >/dev/null && command -v llvm-size >/dev/null || \
		{ $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq g++ nlohmann-json3-dev gcc-aarch64-linux-gnu \
			clang lld llvm; }

# Converts real zoo models through every converter: several minutes.
test-slow: $(STAMP)
	$(BIN)/pytest -m slow

venv: $(STAMP)

$(STAMP): pyproject.toml requirements/constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -e '.[runtimes,test,farm,ios]'
	# litert-torch's own requirement ai-edge-litert[model-utils] is not needed for conversion.
	$(PIP) --no-deps litert-torch==0.10.0
	$(BIN)/pip check
	$(BIN)/python -c "import torch, sys; sys.exit(0 if torch.__version__ == '2.13.0+cpu' else 'torch is ' + torch.__version__ + ', expected the CPU build 2.13.0+cpu')"
	touch $@

# Re-pin every package to what is installed now.
lock: $(STAMP)
	{ sed -n '/^#/p' requirements/constraints.txt; $(BIN)/pip freeze --exclude-editable | grep -v -i -E '^(mobile-bench|torch==)'; echo 'torch==2.13.0'; } > requirements/constraints.tmp
	mv requirements/constraints.tmp requirements/constraints.txt

schema: $(STAMP)
	$(BIN)/harness schema --output configs/matrix.schema.json
	$(BIN)/harness schema --protocol --output harness/protocol/schema/v2.json

clean-venv:
	rm -rf $(VENV)
