package io.github.tfloop.sample;

import static io.github.tfloop.sample.SeattleWeather.HORIZON;
import static io.github.tfloop.sample.SeattleWeather.meanAbsoluteError;

import io.github.tfloop.monitor.ConsoleLogger;
import io.github.tfloop.train.EarlyStopping;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LoopOptions;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Trains {@link TemperatureForecaster} on Seattle's weather of 2012–2013, stops early on 2014, and
 * prints its mean absolute error on 2014 and 2015, per day ahead, beside a linear model ({@link
 * RidgeForecast}) and three rules that need no training: persistence (the last day's maximum, every
 * day ahead), the seasonal naive forecast (the same day a year earlier) and climatology (the
 * training years' mean for that time of year).
 *
 * <pre>
 * java ... io.github.tfloop.sample.WeatherForecast [--epochs N] [--patience N] [--seed N]
 *     [--data FILE | --debian]
 * </pre>
 *
 * <p>Data: the bundled copy of {@code seattle-weather.csv}; {@code --debian} reads the one Debian's
 * {@code python3-vega-datasets} installs, {@code --data FILE} any file with its columns.
 */
public final class WeatherForecast {

  /** Epochs at most, unless {@code --epochs} says otherwise. */
  public static final int EPOCHS = 100;

  /** Epochs without a better validation MAE before training stops. */
  public static final int PATIENCE = 15;

  private WeatherForecast() {}

  /**
   * What a training run gives.
   *
   * @param validation the model's forecasts for the validation period, °C, {@link
   *     SeattleWeather#HORIZON} per example
   * @param test the model's forecasts for the test period, °C
   * @param history the loss and MAE of every epoch run
   * @param bestEpoch the epoch (from 1) whose weights were kept: the best validation MAE
   * @param seconds the time to build and train the loop and forecast
   */
  public record Result(
      float[] validation, float[] test, History history, int bestEpoch, double seconds) {

    /** The epochs run before early stopping (or the limit). */
    public int epochs() {
      return history.epochs().size();
    }
  }

  /**
   * Trains a new {@link TemperatureForecaster} for at most {@code epochs} epochs, keeping the
   * weights of the epoch with the best validation MAE (it stops after {@code patience} epochs
   * without one), and forecasts the validation and test periods.
   */
  public static Result train(
      SeattleWeather data, int epochs, int patience, LoopOptions.Builder options) {
    long started = System.nanoTime();
    EarlyStopping stopping =
        EarlyStopping.monitoring("val_mae").patience(patience).restoreBestWeights(true).build();
    LoopOptions built = options.epochs(epochs).listener(stopping).build();
    try (TemperatureForecasterLoop loop =
        TemperatureForecasterLoop.create(new TemperatureForecaster(), built)) {
      History history = loop.fit(data.train().data(), data.validation().data());
      float[] validation = data.toCelsius(loop.predict(data.validation().data()));
      float[] test = data.toCelsius(loop.predict(data.test().data()));
      return new Result(
          validation, test, history, stopping.bestEpoch(), (System.nanoTime() - started) / 1e9);
    }
  }

  /**
   * Trains, forecasts and prints the table; the arguments are described on the class.
   *
   * @throws IOException if the data file cannot be read
   */
  public static void main(String[] args) throws IOException {
    int epochs = EPOCHS;
    int patience = PATIENCE;
    Path file = null;
    LoopOptions.Builder options = LoopOptions.builder();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--epochs" -> epochs = Integer.parseInt(value(args, ++i, "--epochs"));
        case "--patience" -> patience = Integer.parseInt(value(args, ++i, "--patience"));
        case "--data" -> file = Path.of(value(args, ++i, "--data"));
        case "--debian" -> file = SeattleWeather.DEBIAN_FILE;
        case "--seed" -> options.seed(Long.parseLong(value(args, ++i, "--seed")));
        default ->
            throw new IllegalArgumentException(
                "unknown argument '"
                    + args[i]
                    + "'; use --epochs N, --patience N, --seed N, --data FILE or --debian");
      }
    }
    SeattleWeather data = file == null ? SeattleWeather.bundled() : SeattleWeather.load(file);
    System.out.printf(
        Locale.ROOT,
        "Seattle weather (%s): %d training, %d validation (2014), %d test (2015) forecasts of %d"
            + " days from %d%n",
        file == null ? "bundled" : file,
        data.train().size(),
        data.validation().size(),
        data.test().size(),
        HORIZON,
        SeattleWeather.WINDOW);
    Result result = train(data, epochs, patience, options.listener(new ConsoleLogger()));
    RidgeForecast ridge = RidgeForecast.select(data, data.train(), data.validation());
    System.out.print(report(data, result, ridge));
  }

  /**
   * The table of mean absolute errors, per day ahead and overall, on validation and test, of the
   * network, of a linear model ({@code ridge}) and of the rules.
   */
  public static String report(SeattleWeather data, Result result, RidgeForecast ridge) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%d epochs (weights of epoch %d, the best on validation), %.1f s%n",
            result.epochs(),
            result.bestEpoch(),
            result.seconds()));
    for (SeattleWeather.Period period :
        new SeattleWeather.Period[] {data.validation(), data.test()}) {
      float[] model = period == data.test() ? result.test() : result.validation();
      out.append(
          String.format(
              Locale.ROOT,
              "%nMAE of max temperature, °C, %s period (%s to %s, %d forecasts)%n",
              period.name(),
              period.first(),
              period.last(),
              period.size()));
      out.append(String.format(Locale.ROOT, "%-18s", "days ahead"));
      for (int ahead = 1; ahead <= HORIZON; ahead++) {
        out.append(String.format(Locale.ROOT, "%6d", ahead));
      }
      out.append(String.format(Locale.ROOT, "%8s%n", "all"));
      float[] linear = data.toCelsius(ridge.predict(period));
      String penalty = BigDecimal.valueOf(ridge.penalty()).stripTrailingZeros().toPlainString();
      row(out, "GRU", model, period.actual());
      row(out, "ridge, λ " + penalty, linear, period.actual());
      row(out, "persistence", period.persistence(), period.actual());
      row(out, "seasonal naive", period.seasonalNaive(), period.actual());
      row(out, "climatology", period.climatology(), period.actual());
      out.append(
          String.format(
              Locale.ROOT,
              "MAE below persistence's: GRU %.1f%%, ridge %.1f%%%n",
              100 * period.gainOverPersistence(model),
              100 * period.gainOverPersistence(linear)));
    }
    return out.toString();
  }

  private static void row(StringBuilder out, String name, float[] forecast, float[] actual) {
    out.append(String.format(Locale.ROOT, "%-18s", name));
    for (int ahead = 1; ahead <= HORIZON; ahead++) {
      out.append(String.format(Locale.ROOT, "%6.2f", meanAbsoluteError(forecast, actual, ahead)));
    }
    out.append(String.format(Locale.ROOT, "%8.2f%n", meanAbsoluteError(forecast, actual)));
  }

  private static String value(String[] args, int index, String option) {
    if (index >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[index];
  }
}
