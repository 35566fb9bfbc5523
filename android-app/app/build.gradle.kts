import java.util.Properties

plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
}

val appVersion = Properties().apply { rootProject.file("version.properties").inputStream().use { load(it) } }

// Versions matching the Python side's converters (requirements/constraints.txt): ai-edge-litert 2.3.0 and
// executorch 1.5.1. PyTorch Mobile's last lite-interpreter release is 1.13.1; it loads bytecode up to v8.
val litertVersion = "2.3.0"
val executorchVersion = "1.5.1"
val pytorchLiteVersion = "1.13.1"

android {
    namespace = "org.mobilebench.shell"
    compileSdk = 35

    defaultConfig {
        applicationId = "org.mobilebench.shell"
        minSdk = 26
        targetSdk = 35
        versionCode = appVersion.getProperty("versionCode").toInt()
        versionName = appVersion.getProperty("versionName")
        ndk { abiFilters += listOf("arm64-v8a", "x86_64") }
        buildConfigField("String", "LITERT_VERSION", "\"$litertVersion\"")
        buildConfigField("String", "EXECUTORCH_VERSION", "\"$executorchVersion\"")
        buildConfigField("String", "PYTORCH_LITE_VERSION", "\"$pytorchLiteVersion\"")
    }
    buildFeatures { buildConfig = true }

    buildTypes {
        release {
            isMinifyEnabled = false
            // A benchmark shell, installed with adb: the debug key signs it so `assembleRelease` gives an
            // installable APK with release (optimized, non-debuggable) native code paths.
            signingConfig = signingConfigs.getByName("debug")
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions { jvmTarget = "17" }

    packaging {
        // ExecuTorch and the lite interpreter both ship fbjni and the C++ runtime.
        jniLibs { pickFirsts += listOf("**/libfbjni.so", "**/libc++_shared.so") }
    }
}

dependencies {
    val localLibs = providers.gradleProperty("mobilebench.localLibs").orNull
    if (localLibs != null) {
        implementation(fileTree(localLibs) { include("*.aar", "*.jar") })
        implementation("com.facebook.fbjni:fbjni:0.7.0")
        implementation("com.facebook.soloader:nativeloader:0.10.5")
    } else {
        implementation("com.google.ai.edge.litert:litert:$litertVersion")
        implementation("com.google.ai.edge.litert:litert-gpu:$litertVersion")
        implementation("org.pytorch:executorch-android:$executorchVersion")
        implementation("org.pytorch:pytorch_android_lite:$pytorchLiteVersion") {
            exclude(group = "com.facebook.fbjni", module = "fbjni-java-only")  // ExecuTorch brings fbjni
        }
    }
    testImplementation("junit:junit:4.13.2")
    testImplementation("org.json:json:20240303")  // Android's org.json is a stub in JVM unit tests
}
