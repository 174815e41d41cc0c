package io.github.tfloop.monitor;

import java.io.Console;
import java.lang.reflect.Method;

/** Whether the JVM writes to an interactive terminal, where a progress bar may redraw itself. */
final class Terminals {

  private Terminals() {}

  /**
   * True when there is a console that is a terminal, {@code TERM} is not {@code dumb} and {@code
   * CI} is not set. From JDK 22 on {@code System.console()} exists even when output is redirected;
   * its {@code isTerminal()} then tells, and is called where it exists.
   */
  static boolean isInteractive() {
    if (System.getenv("CI") != null || "dumb".equals(System.getenv("TERM"))) {
      return false;
    }
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      Method isTerminal = Console.class.getMethod("isTerminal");
      return (Boolean) isTerminal.invoke(console);
    } catch (NoSuchMethodException e) {
      return true; // before JDK 22, a console is only there for a terminal
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }
}
