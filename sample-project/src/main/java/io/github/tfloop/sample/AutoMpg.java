package io.github.tfloop.sample;

import io.github.tfloop.data.Column;
import io.github.tfloop.data.CsvTable;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.FloatColumn;
import io.github.tfloop.data.IntColumn;
import io.github.tfloop.data.Normalizer;
import java.io.IOException;
import java.io.InputStream;

/**
 * The Auto MPG data set, bundled as CSV (see {@code auto-mpg/README.md}): 392 cars with every value
 * known, split by a seeded shuffle into training and test data, each with a {@code car} column (six
 * standardised measurements and a one-hot origin: {@link #FEATURES} floats) and a {@code target}
 * column (miles per gallon scaled to [0, 1]). Scaling statistics come from the training part only.
 *
 * @param mpg the scaling of the target, to turn predictions back into miles per gallon
 */
public record AutoMpg(Dataset train, Dataset test, Normalizer mpg) {

  /** Values per car: six measurements and three origins. */
  public static final int FEATURES = 9;

  private static final String[] MEASUREMENTS = {
    "Cylinders", "Displacement", "Horsepower", "Weight_in_lbs", "Acceleration", "Year"
  };

  /** Reads the bundled CSV and splits off {@code testFraction} of the cars for testing. */
  public static AutoMpg load(double testFraction, long seed) throws IOException {
    CsvTable cars;
    try (InputStream in = AutoMpg.class.getResourceAsStream("auto-mpg/cars.csv")) {
      if (in == null) {
        throw new IOException("bundled resource auto-mpg/cars.csv is missing");
      }
      cars =
          CsvTable.read(in, "auto-mpg/cars.csv").withoutMissing("Miles_per_Gallon", "Horsepower");
    }
    Dataset all =
        Dataset.builder()
            .add("car", withOrigin(cars.floats(MEASUREMENTS), cars.categories("Origin")))
            .add("target", Column.of(cars.floats("Miles_per_Gallon").values(), 1))
            .build();
    Dataset.Split split = all.split(testFraction, seed);
    Normalizer features = Normalizer.fit(split.train().column("car"));
    Normalizer mpg = Normalizer.fitMinMax(split.train().column("target"));
    return new AutoMpg(
        mpg.apply(features.apply(split.train(), "car"), "target"),
        mpg.apply(features.apply(split.validation(), "car"), "target"),
        mpg);
  }

  /** The measurements followed by the origin, one-hot. */
  private static FloatColumn withOrigin(FloatColumn measurements, IntColumn origin) {
    int width = MEASUREMENTS.length;
    float[] values = new float[measurements.size() * FEATURES];
    for (int car = 0; car < measurements.size(); car++) {
      System.arraycopy(measurements.values(), car * width, values, car * FEATURES, width);
      values[car * FEATURES + width + origin.values()[car]] = 1;
    }
    return Column.of(values, FEATURES);
  }
}
