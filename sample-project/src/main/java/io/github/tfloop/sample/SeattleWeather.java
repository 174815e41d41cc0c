package io.github.tfloop.sample;

import io.github.tfloop.data.Column;
import io.github.tfloop.data.CsvTable;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.FloatColumn;
import io.github.tfloop.data.Normalizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Daily weather in Seattle, 2012–2015 (bundled as CSV, see {@code seattle-weather/README.md}), cut
 * into forecasting examples: the last {@link #WINDOW} days of weather, and the maximum temperature
 * of each of the {@link #HORIZON} days that follow.
 *
 * <p>The periods follow one another in time, so that the model is always judged on days later than
 * any it learned from: examples whose forecast days all fall in 2012–2013 train, those in 2014
 * validate (early stopping), those in 2015 test. Every scaling statistic comes from the rows of
 * 2012–2013 only.
 *
 * <p>Each day of a window holds {@link #FEATURES} values: precipitation ({@code log(1 + mm)}),
 * maximum and minimum temperature and wind, standardised, and the day of the year as the sine and
 * cosine of its angle. The {@code weather} column (rain, sun, fog...) is not used: its labels
 * change meaning between years (2012 has 191 days of rain, 2015 has 5).
 *
 * @param train forecasts for days of 2012–2013
 * @param validation forecasts for days of 2014
 * @param test forecasts for days of 2015
 * @param temperature the standardisation of the maximum temperature, which turns a scaled forecast
 *     back into degrees Celsius
 */
public record SeattleWeather(Period train, Period validation, Period test, Normalizer temperature) {

  /** Days of weather the model reads. */
  public static final int WINDOW = 14;

  /** Days ahead forecast: the next {@code HORIZON} days' maximum temperatures. */
  public static final int HORIZON = 7;

  /** Values per day of a window. */
  public static final int FEATURES = 6;

  /** The name of the column of windows, {@code [WINDOW, FEATURES]} per example. */
  public static final String DAYS = "days";

  /** The name of the column of targets, {@code [HORIZON]} scaled maximum temperatures. */
  public static final String MAX_TEMP = "maxTemp";

  /** The CSV's measurement columns, in the order of a day's first four values. */
  static final String[] MEASUREMENTS = {"precipitation", "temp_max", "temp_min", "wind"};

  /** Where Debian's {@code python3-vega-datasets} installs the file. */
  public static final Path DEBIAN_FILE =
      Path.of("/usr/lib/python3/dist-packages/vega_datasets/_data/seattle-weather.csv");

  private static final String BUNDLED = "seattle-weather/seattle-weather.csv";
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("uuuu/MM/dd");
  private static final int MAX = 1;

  private static final LocalDate FIRST_DAY = LocalDate.of(2012, 1, 1);
  private static final LocalDate TRAIN_END = LocalDate.of(2013, 12, 31);
  private static final LocalDate VALIDATION_END = LocalDate.of(2014, 12, 31);
  private static final LocalDate TEST_END = LocalDate.of(2015, 12, 31);

  /** Days either side of a date whose training-period values make its climatology. */
  static final int CLIMATOLOGY_DAYS = 15;

  /**
   * Forecasting examples of one period, with what simple rules predict for them.
   *
   * @param name {@code train}, {@code validation} or {@code test}
   * @param first the first forecast day of the period
   * @param last the last forecast day
   * @param data columns {@link #DAYS} and {@link #MAX_TEMP}, scaled
   * @param issued per example, the last day of its window: the day the forecast is made
   * @param actual per example, the {@link #HORIZON} maximum temperatures that followed, °C
   * @param persistence the naive forecast: the last day's maximum, {@link #HORIZON} times
   * @param seasonalNaive the maximum of the same calendar day one year earlier ({@code NaN} in
   *     2012, which has no year before it)
   * @param climatology the mean maximum of the training years within {@link #CLIMATOLOGY_DAYS} days
   *     of the same day of the year
   */
  public record Period(
      String name,
      LocalDate first,
      LocalDate last,
      Dataset data,
      LocalDate[] issued,
      float[] actual,
      float[] persistence,
      float[] seasonalNaive,
      float[] climatology) {

    /** Number of forecasts. */
    public int size() {
      return issued.length;
    }

    /**
     * How much lower the MAE of {@code forecast} (°C, as {@link #actual}) is than persistence's, as
     * a fraction of persistence's: 0.1 for 10% lower, negative if higher.
     */
    public double gainOverPersistence(float[] forecast) {
      return 1 - meanAbsoluteError(forecast, actual) / meanAbsoluteError(persistence, actual);
    }
  }

  /** Reads the bundled copy of the CSV. */
  public static SeattleWeather bundled() throws IOException {
    try (InputStream in = SeattleWeather.class.getResourceAsStream(BUNDLED)) {
      if (in == null) {
        throw new IOException("bundled resource " + BUNDLED + " is missing");
      }
      return of(CsvTable.read(in, BUNDLED));
    }
  }

  /**
   * Reads {@code file}, a CSV with the columns of vega-datasets' {@code seattle-weather.csv} and
   * one row per day of 2012–2015, such as {@link #DEBIAN_FILE}.
   */
  public static SeattleWeather load(Path file) throws IOException {
    return of(CsvTable.read(file));
  }

  /**
   * Cuts a daily table into the three periods.
   *
   * @throws IllegalArgumentException if a date is missing, repeated or out of order, or a
   *     measurement is missing or not a number, naming the row
   */
  public static SeattleWeather of(CsvTable table) {
    LocalDate[] dates = dates(table);
    if (dates.length == 0
        || !dates[0].equals(FIRST_DAY)
        || dates[dates.length - 1].isBefore(TEST_END)) {
      throw new IllegalArgumentException(
          table.source()
              + ": expected daily rows from "
              + DATE.format(FIRST_DAY)
              + " to "
              + DATE.format(TEST_END)
              + (dates.length == 0
                  ? ", found none"
                  : ", found "
                      + DATE.format(dates[0])
                      + " to "
                      + DATE.format(dates[dates.length - 1])));
    }
    float[] raw = table.floats(MEASUREMENTS).values();
    int days = dates.length;
    int width = MEASUREMENTS.length;
    int trainRows = (int) TRAIN_END.toEpochDay() - (int) FIRST_DAY.toEpochDay() + 1;

    // Precipitation is mostly 0 with a long tail: log(1 + mm). Then every measurement is
    // standardised with the statistics of 2012–2013 only.
    float[] measurements = raw.clone();
    for (int day = 0; day < days; day++) {
      measurements[day * width] = (float) Math.log1p(measurements[day * width]);
    }
    FloatColumn all = Column.of(measurements, width);
    Normalizer scaling = Normalizer.fit(all.slice(0, trainRows));
    float[] scaled = scaling.apply(all).values();
    float[] maxima = maxima(raw);
    // The targets share the scale of the windows' maxima (the same statistics), so that the
    // window's last maximum is the naive forecast of every day ahead, scaled.
    Normalizer temperature = Normalizer.fit(Column.of(maxima).slice(0, trainRows));
    float[] climatology = climatology(dates, maxima, trainRows);
    return new SeattleWeather(
        period("train", FIRST_DAY, TRAIN_END, dates, scaled, maxima, climatology, temperature),
        period(
            "validation",
            TRAIN_END.plusDays(1),
            VALIDATION_END,
            dates,
            scaled,
            maxima,
            climatology,
            temperature),
        period(
            "test",
            VALIDATION_END.plusDays(1),
            TEST_END,
            dates,
            scaled,
            maxima,
            climatology,
            temperature),
        temperature);
  }

  /** The examples whose forecast days all lie in {@code [first, last]}. */
  private static Period period(
      String name,
      LocalDate first,
      LocalDate last,
      LocalDate[] dates,
      float[] scaled,
      float[] maxima,
      float[] climatology,
      Normalizer temperature) {
    List<Integer> ends = new ArrayList<>();
    for (int end = WINDOW - 1; end + HORIZON < dates.length; end++) {
      if (!dates[end + 1].isBefore(first) && !dates[end + HORIZON].isAfter(last)) {
        ends.add(end);
      }
    }
    int size = ends.size();
    int width = MEASUREMENTS.length;
    float[] windows = new float[size * WINDOW * FEATURES];
    LocalDate[] issued = new LocalDate[size];
    float[] actual = new float[size * HORIZON];
    float[] persistence = new float[size * HORIZON];
    float[] seasonalNaive = new float[size * HORIZON];
    float[] normal = new float[size * HORIZON];
    for (int i = 0; i < size; i++) {
      int end = ends.get(i);
      issued[i] = dates[end];
      for (int t = 0; t < WINDOW; t++) {
        int day = end - WINDOW + 1 + t;
        int at = (i * WINDOW + t) * FEATURES;
        System.arraycopy(scaled, day * width, windows, at, width);
        double angle = 2 * Math.PI * dates[day].getDayOfYear() / 365.25;
        windows[at + width] = (float) Math.sin(angle);
        windows[at + width + 1] = (float) Math.cos(angle);
      }
      for (int h = 0; h < HORIZON; h++) {
        int day = end + 1 + h;
        actual[i * HORIZON + h] = maxima[day];
        persistence[i * HORIZON + h] = maxima[end];
        LocalDate yearBefore = dates[day].minusYears(1);
        int before = day - (int) (dates[day].toEpochDay() - yearBefore.toEpochDay());
        seasonalNaive[i * HORIZON + h] = before >= 0 ? maxima[before] : Float.NaN;
        normal[i * HORIZON + h] = climatology[day];
      }
    }
    Dataset data =
        Dataset.builder()
            .add(DAYS, Column.of(windows, WINDOW, FEATURES))
            .add(MAX_TEMP, Column.of(scaled(temperature, actual), HORIZON))
            .build();
    return new Period(name, first, last, data, issued, actual, persistence, seasonalNaive, normal);
  }

  /**
   * Per day, the mean maximum over the first {@code trainRows} days whose day of the year lies
   * within {@link #CLIMATOLOGY_DAYS} of its own (around the year's end too).
   */
  private static float[] climatology(LocalDate[] dates, float[] maxima, int trainRows) {
    double[] sum = new double[367];
    int[] count = new int[367];
    for (int day = 0; day < trainRows; day++) {
      sum[dates[day].getDayOfYear()] += maxima[day];
      count[dates[day].getDayOfYear()]++;
    }
    float[] normal = new float[dates.length];
    for (int day = 0; day < dates.length; day++) {
      int doy = dates[day].getDayOfYear();
      double total = 0;
      int n = 0;
      for (int d = 1; d <= 366; d++) {
        int distance = Math.abs(d - doy);
        if (Math.min(distance, 366 - distance) <= CLIMATOLOGY_DAYS) {
          total += sum[d];
          n += count[d];
        }
      }
      normal[day] = (float) (total / n);
    }
    return normal;
  }

  /** {@code celsius} standardised as the training period's maximum temperatures are. */
  private static float[] scaled(Normalizer temperature, float[] celsius) {
    double mean = temperature.offset()[0];
    double deviation = temperature.scale()[0];
    float[] scaled = new float[celsius.length];
    for (int i = 0; i < celsius.length; i++) {
      scaled[i] = (float) ((celsius[i] - mean) / deviation);
    }
    return scaled;
  }

  /** Column {@code temp_max} of the measurements. */
  private static float[] maxima(float[] raw) {
    float[] maxima = new float[raw.length / MEASUREMENTS.length];
    for (int day = 0; day < maxima.length; day++) {
      maxima[day] = raw[day * MEASUREMENTS.length + MAX];
    }
    return maxima;
  }

  /** The {@code date} column, checked to be one row per day with no gap. */
  private static LocalDate[] dates(CsvTable table) {
    List<String> names = table.categoryNames("date");
    if (names.size() != table.size()) {
      throw new IllegalArgumentException(
          table.source() + ": a date occurs twice; the file must hold one row per day");
    }
    LocalDate[] dates = new LocalDate[names.size()];
    for (int row = 0; row < dates.length; row++) {
      try {
        dates[row] = LocalDate.parse(names.get(row), DATE);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            table.source()
                + ": data row "
                + (row + 1)
                + ": date '"
                + names.get(row)
                + "' is not of the form yyyy/MM/dd",
            e);
      }
      if (row > 0 && !dates[row].equals(dates[row - 1].plusDays(1))) {
        throw new IllegalArgumentException(
            table.source()
                + ": data row "
                + (row + 1)
                + ": "
                + names.get(row)
                + " does not follow "
                + names.get(row - 1)
                + "; the file must hold one row per day, in order, without gaps");
      }
    }
    return dates;
  }

  /** The mean absolute difference of two arrays, ignoring positions where either is NaN. */
  public static double meanAbsoluteError(float[] forecast, float[] actual) {
    return meanAbsoluteError(forecast, actual, -1);
  }

  /**
   * The mean absolute difference at forecast day {@code ahead} (1 to {@link #HORIZON}) of arrays of
   * {@link #HORIZON} values per example; {@code -1} for every day.
   */
  public static double meanAbsoluteError(float[] forecast, float[] actual, int ahead) {
    if (forecast.length != actual.length) {
      throw new IllegalArgumentException(
          forecast.length + " forecasts for " + actual.length + " actual values");
    }
    double total = 0;
    int count = 0;
    for (int i = 0; i < actual.length; i++) {
      if ((ahead < 0 || i % HORIZON == ahead - 1)
          && !Float.isNaN(forecast[i])
          && !Float.isNaN(actual[i])) {
        total += Math.abs(forecast[i] - actual[i]);
        count++;
      }
    }
    return total / count;
  }

  /** Scaled forecasts (as the model outputs them) in °C. */
  public float[] toCelsius(float[] scaled) {
    float[] celsius = new float[scaled.length];
    for (int i = 0; i < scaled.length; i++) {
      celsius[i] = (float) temperature.inverse(scaled[i], 0);
    }
    return celsius;
  }
}
