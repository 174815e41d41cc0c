package io.github.tfloop.train;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.Optional;

/**
 * Quiets TensorFlow's informational start-up lines (the oneDNN notice, {@code cpu_feature_guard}'s
 * list of CPU instructions, {@code Calling Java gradient function}) by setting the environment
 * variable {@value #ENVIRONMENT_VARIABLE} to {@value #QUIET_LEVEL} (warnings and errors only) in
 * this process before TensorFlow's native library loads. Generated loops call {@link #quiet()}
 * before they first touch TensorFlow; call it yourself as the first line of {@code main} if your
 * program uses TensorFlow before it creates a loop.
 *
 * <p>What it can and cannot do, with TensorFlow Java 1.1.0:
 *
 * <ul>
 *   <li>TensorFlow reads {@value #ENVIRONMENT_VARIABLE} from the process environment once, when it
 *       logs its first line, which happens while its library loads. From JDK 22 on, Java sets it
 *       through the Foreign Function API, with native access enabled ({@code
 *       --enable-native-access=ALL-UNNAMED}, which TensorFlow wants anyway). On JDK 17 to 21
 *       neither the JDK nor TensorFlow Java and JavaCPP as TensorFlow Java ships them can call
 *       {@code setenv} before the library loads, and {@link #quiet()} does nothing: set the
 *       variable when starting the JVM.
 *   <li>Two lines come from a copy of Abseil's logging inside TensorFlow that reads no environment
 *       variable and whose settings no exported function reaches: {@code All log messages before
 *       absl::InitializeLog() is called are written to STDERR} and {@code MLIR V1 optimization pass
 *       is not enabled}, at the first session run. Nothing quiets them.
 * </ul>
 *
 * <p>To see every line again, set {@code TF_CPP_MIN_LOG_LEVEL=0} when starting the JVM: a value set
 * outside is never changed.
 */
public final class TensorFlowLogs {

  /** The environment variable TensorFlow's C++ logging reads: 0 all, 1 no INFO, 2 errors only. */
  public static final String ENVIRONMENT_VARIABLE = "TF_CPP_MIN_LOG_LEVEL";

  /** The level {@link #quiet()} sets: warnings and errors only. */
  public static final String QUIET_LEVEL = "1";

  /** What {@link #quiet()} did. */
  public enum Result {
    /** The variable was set to {@value TensorFlowLogs#QUIET_LEVEL} before TensorFlow loaded. */
    QUIETED,
    /** The variable was already set when the JVM started: that value stays. */
    LEFT_TO_ENVIRONMENT,
    /** TensorFlow's library had already loaded: too late to change what it reads. */
    TOO_LATE,
    /** Native access is not enabled for tfloop: run with {@code --enable-native-access}. */
    NO_NATIVE_ACCESS,
    /** This JVM cannot set an environment variable (JDK 17 to 21, or no {@code setenv}). */
    NOT_SUPPORTED
  }

  private static Result result;

  private TensorFlowLogs() {}

  /**
   * Sets {@value #ENVIRONMENT_VARIABLE} to {@value #QUIET_LEVEL} in this process if it is unset and
   * TensorFlow's library has not loaded yet; the first call decides, later calls return the same
   * result. Never throws: when the variable cannot be set, TensorFlow simply logs as it would have.
   *
   * <p>It uses the C library's {@code setenv}, which is not safe while another thread reads the
   * environment; call it before your program starts threads that might.
   *
   * @return what was done, and if nothing, why
   */
  public static synchronized Result quiet() {
    if (result == null) {
      result = tryQuiet();
    }
    return result;
  }

  private static Result tryQuiet() {
    if (System.getenv(ENVIRONMENT_VARIABLE) != null) {
      return Result.LEFT_TO_ENVIRONMENT;
    }
    if (tensorFlowLoaded()) {
      return Result.TOO_LATE;
    }
    if (Runtime.version().feature() < 22) {
      return Result.NOT_SUPPORTED;
    }
    if (!nativeAccessEnabled()) {
      return Result.NO_NATIVE_ACCESS;
    }
    return setenv(ENVIRONMENT_VARIABLE, QUIET_LEVEL) ? Result.QUIETED : Result.NOT_SUPPORTED;
  }

  /** Whether JavaCPP has loaded TensorFlow's native library in this JVM. */
  private static boolean tensorFlowLoaded() {
    try {
      Class<?> loader = Class.forName("org.bytedeco.javacpp.Loader");
      Object loaded = loader.getMethod("getLoadedLibraries").invoke(null);
      return loaded.toString().contains("tensorflow");
    } catch (ReflectiveOperationException | LinkageError e) {
      return false;
    }
  }

  /** {@code Module.isNativeAccessEnabled()} (JDK 22) for this class's module. */
  private static boolean nativeAccessEnabled() {
    try {
      Module module = TensorFlowLogs.class.getModule();
      return (Boolean) Module.class.getMethod("isNativeAccessEnabled").invoke(module);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }

  /**
   * {@code setenv(name, value, 0)} through the Foreign Function API (JDK 22), called reflectively
   * because the runtime compiles for Java 17.
   */
  private static boolean setenv(String name, String value) {
    try {
      Class<?> linkerType = Class.forName("java.lang.foreign.Linker");
      Class<?> optionType = Class.forName("java.lang.foreign.Linker$Option");
      Class<?> lookupType = Class.forName("java.lang.foreign.SymbolLookup");
      Class<?> layoutType = Class.forName("java.lang.foreign.MemoryLayout");
      Class<?> valueLayoutType = Class.forName("java.lang.foreign.ValueLayout");
      Class<?> descriptorType = Class.forName("java.lang.foreign.FunctionDescriptor");
      Class<?> segmentType = Class.forName("java.lang.foreign.MemorySegment");
      Class<?> arenaType = Class.forName("java.lang.foreign.Arena");

      Object linker = linkerType.getMethod("nativeLinker").invoke(null);
      Object libc = linkerType.getMethod("defaultLookup").invoke(linker);
      Optional<?> symbol =
          (Optional<?>) lookupType.getMethod("find", String.class).invoke(libc, "setenv");
      if (symbol.isEmpty()) {
        return false;
      }
      Object integer = valueLayoutType.getField("JAVA_INT").get(null);
      Object address = valueLayoutType.getField("ADDRESS").get(null);
      Object parameters = Array.newInstance(layoutType, 3);
      Array.set(parameters, 0, address);
      Array.set(parameters, 1, address);
      Array.set(parameters, 2, integer);
      Object descriptor =
          descriptorType
              .getMethod("of", layoutType, parameters.getClass())
              .invoke(null, integer, parameters);
      MethodHandle function =
          (MethodHandle)
              linkerType
                  .getMethod("downcallHandle", segmentType, descriptorType, optionType.arrayType())
                  .invoke(linker, symbol.get(), descriptor, Array.newInstance(optionType, 0));

      Object arena = arenaType.getMethod("ofConfined").invoke(null);
      try {
        Method allocate = arenaType.getMethod("allocateFrom", String.class);
        Object nameString = allocate.invoke(arena, name);
        Object valueString = allocate.invoke(arena, value);
        return (int) function.invoke(nameString, valueString, 0) == 0;
      } finally {
        arenaType.getMethod("close").invoke(arena);
      }
    } catch (Throwable e) {
      return false;
    }
  }
}
