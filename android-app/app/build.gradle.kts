import groovy.json.JsonSlurper
import java.util.Properties
import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    alias(libs.plugins.android.application)
    alias(libs.plugins.kotlin.android)
}

val appVersion = Properties().apply { rootProject.file("version.properties").inputStream().use { load(it) } }

// runtimes.json: one APK per flavor, each holding the runtimes it lists. The harness reads the same file to
// install and launch the APK a cell needs. ExecuTorch and the lite interpreter ship their own fbjni and
// libc++_shared, so they never share an APK (android-app/README.md, item 3).
@Suppress("UNCHECKED_CAST")
val facts = JsonSlurper().parse(rootProject.file("runtimes.json")) as Map<String, Any>
@Suppress("UNCHECKED_CAST")
val flavorFacts = facts["flavors"] as Map<String, Map<String, Any>>
val logTag = facts["log_tag"] as String

android {
    namespace = "org.mobilebench.shell"
    compileSdk = 35

    defaultConfig {
        minSdk = 26
        targetSdk = 35
        versionCode = appVersion.getProperty("versionCode").toInt()
        versionName = appVersion.getProperty("versionName")
        ndk { abiFilters += listOf("arm64-v8a", "x86_64") }
        buildConfigField("String", "LOG_TAG", "\"$logTag\"")
        buildConfigField("String", "LITERT_VERSION", "\"${libs.versions.litert.get()}\"")
        buildConfigField("String", "EXECUTORCH_VERSION", "\"${libs.versions.executorch.get()}\"")
        buildConfigField("String", "PYTORCH_LITE_VERSION", "\"${libs.versions.pytorch.lite.get()}\"")
    }
    buildFeatures { buildConfig = true }

    flavorDimensions += "runtimes"
    productFlavors {
        flavorFacts.forEach { (name, flavor) ->
            create(name) {
                dimension = "runtimes"
                applicationId = flavor["application_id"] as String
                @Suppress("UNCHECKED_CAST")
                val runtimes = (flavor["runtimes"] as List<String>).joinToString(",")
                buildConfigField("String", "RUNTIMES", "\"$runtimes\"")
            }
        }
    }

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

    // Native libraries stay uncompressed and page aligned in the APK (extractNativeLibs=false in the manifest).
    packaging { jniLibs { useLegacyPackaging = false } }

    testOptions { unitTests.isReturnDefaultValues = true }  // android.util.Log in JVM tests
}

kotlin {
    compilerOptions { jvmTarget.set(JvmTarget.JVM_17) }
}

val catalog = extensions.getByType<VersionCatalogsExtension>().named("libs")

dependencies {
    flavorFacts.forEach { (name, flavor) ->
        @Suppress("UNCHECKED_CAST")
        (flavor["libraries"] as List<String>).forEach { alias ->
            addProvider("${name}Implementation", catalog.findLibrary(alias).get())
        }
    }
    testImplementation(libs.junit)
    testImplementation(libs.json)  // Android's org.json is a stub in JVM unit tests
}
