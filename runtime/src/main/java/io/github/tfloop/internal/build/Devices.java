package io.github.tfloop.internal.build;

import java.util.Locale;
import org.tensorflow.DeviceSpec;

/**
 * Parses device names such as {@code /GPU:0}, {@code /device:CPU:0} or {@code
 * /job:worker/task:1/GPU:0}.
 */
final class Devices {

  private Devices() {}

  static DeviceSpec parse(String name) {
    DeviceSpec.Builder builder = DeviceSpec.newBuilder();
    String[] parts = name.startsWith("/") ? name.substring(1).split("/") : name.split("/");
    for (String part : parts) {
      String[] fields = part.split(":");
      String key = fields[0].toLowerCase(Locale.ROOT);
      try {
        switch (key) {
          case "job" -> builder.job(fields[1]);
          case "replica" -> builder.replica(Integer.parseInt(fields[1]));
          case "task" -> builder.task(Integer.parseInt(fields[1]));
          case "device" -> device(builder, fields[1], fields.length > 2 ? fields[2] : null, name);
          default -> device(builder, fields[0], fields.length > 1 ? fields[1] : null, name);
        }
      } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
        throw invalid(name);
      }
    }
    return builder.build();
  }

  private static void device(DeviceSpec.Builder builder, String type, String index, String name) {
    try {
      builder.deviceType(DeviceSpec.DeviceType.valueOf(type.toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      throw invalid(name);
    }
    if (index != null && !index.equals("*")) {
      builder.deviceIndex(Integer.parseInt(index));
    }
  }

  private static IllegalArgumentException invalid(String name) {
    return new IllegalArgumentException(
        "device '" + name + "' is not of the form /CPU:0, /GPU:0 or /job:worker/task:0/GPU:0");
  }
}
