package io.github.tfloop.sample;

import static io.github.tfloop.sample.SeattleWeather.FEATURES;
import static io.github.tfloop.sample.SeattleWeather.HORIZON;
import static io.github.tfloop.sample.SeattleWeather.WINDOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.data.CsvTable;
import io.github.tfloop.data.FloatColumn;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Seattle weather examples: periods that follow one another in time, scaling from the training
 * years only, windows of the past, and the baselines they are judged against. Expected values are
 * computed here from the CSV's text, without {@link CsvTable}.
 */
class SeattleWeatherTest {

  private static SeattleWeather data;
  private static List<LocalDate> dates;
  private static List<float[]> rows; // precipitation, temp_max, temp_min, wind

  @BeforeAll
  static void load() throws IOException {
    data = SeattleWeather.bundled();
    dates = new ArrayList<>();
    rows = new ArrayList<>();
    try (InputStream in =
        SeattleWeather.class.getResourceAsStream("seattle-weather/seattle-weather.csv")) {
      String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
      for (int i = 1; i < lines.length; i++) {
        String[] fields = lines[i].trim().split(",");
        String[] ymd = fields[0].split("/");
        dates.add(
            LocalDate.of(
                Integer.parseInt(ymd[0]), Integer.parseInt(ymd[1]), Integer.parseInt(ymd[2])));
        rows.add(
            new float[] {
              Float.parseFloat(fields[1]),
              Float.parseFloat(fields[2]),
              Float.parseFloat(fields[3]),
              Float.parseFloat(fields[4])
            });
      }
    }
  }

  private static float maxOn(LocalDate date) {
    return rows.get(dates.indexOf(date))[1];
  }

  @Test
  void periodsFollowOneAnotherAndForecastOnlyTheirOwnDays() {
    assertEquals(1461, dates.size());
    checkPeriod(data.train(), LocalDate.of(2012, 1, 14), 711, LocalDate.of(2013, 12, 31));
    checkPeriod(data.validation(), LocalDate.of(2013, 12, 31), 359, LocalDate.of(2014, 12, 31));
    checkPeriod(data.test(), LocalDate.of(2014, 12, 31), 359, LocalDate.of(2015, 12, 31));
  }

  /** Forecasts issued daily from {@code firstIssued}, whose last forecast day is {@code last}. */
  private static void checkPeriod(
      SeattleWeather.Period period, LocalDate firstIssued, int size, LocalDate last) {
    assertEquals(size, period.size(), period.name());
    assertEquals(size, period.data().size(), period.name());
    for (int i = 0; i < size; i++) {
      assertEquals(firstIssued.plusDays(i), period.issued()[i], period.name() + " example " + i);
      LocalDate firstDay = period.issued()[i].plusDays(1);
      LocalDate lastDay = period.issued()[i].plusDays(HORIZON);
      assertTrue(!firstDay.isBefore(period.first()) && !lastDay.isAfter(period.last()));
    }
    assertEquals(last, period.issued()[size - 1].plusDays(HORIZON), period.name());
  }

  @Test
  void scalingComesFromTheTrainingYearsOnly() {
    double trainingMean = 0;
    double allMean = 0;
    int trainingDays = 0;
    for (int day = 0; day < dates.size(); day++) {
      allMean += rows.get(day)[1] / (double) dates.size();
      if (dates.get(day).getYear() <= 2013) {
        trainingMean += rows.get(day)[1];
        trainingDays++;
      }
    }
    trainingMean /= trainingDays;
    double squares = 0;
    for (int day = 0; day < trainingDays; day++) {
      squares += Math.pow(rows.get(day)[1] - trainingMean, 2);
    }
    double trainingDeviation = Math.sqrt(squares / trainingDays);

    assertEquals(731, trainingDays);
    assertEquals(trainingMean, data.temperature().offset()[0], 1e-4);
    assertEquals(trainingDeviation, data.temperature().scale()[0], 1e-4);
    // 2014 and 2015 were warmer: statistics over every year would differ clearly.
    assertTrue(allMean - trainingMean > 0.5, allMean + " vs " + trainingMean);
  }

  @Test
  void windowsHoldTheTwoWeeksBeforeTheForecastAndTargetsTheWeekAfter() {
    SeattleWeather.Period test = data.test();
    float[] windows = ((FloatColumn) test.data().column(SeattleWeather.DAYS)).values();
    float[] targets = ((FloatColumn) test.data().column(SeattleWeather.MAX_TEMP)).values();
    double mean = data.temperature().offset()[0];
    double deviation = data.temperature().scale()[0];
    for (int example : new int[] {0, 100, test.size() - 1}) {
      LocalDate issued = test.issued()[example];
      for (int t = 0; t < WINDOW; t++) {
        LocalDate day = issued.minusDays(WINDOW - 1 - t);
        int at = (example * WINDOW + t) * FEATURES;
        assertEquals((maxOn(day) - mean) / deviation, windows[at + 1], 1e-5, day.toString());
        double angle = 2 * Math.PI * day.getDayOfYear() / 365.25;
        assertEquals(Math.sin(angle), windows[at + 4], 1e-6);
        assertEquals(Math.cos(angle), windows[at + 5], 1e-6);
      }
      for (int h = 0; h < HORIZON; h++) {
        float actual = maxOn(issued.plusDays(h + 1));
        assertEquals(actual, test.actual()[example * HORIZON + h]);
        assertEquals((actual - mean) / deviation, targets[example * HORIZON + h], 1e-5);
      }
    }
    // the model adds its correction to the window's last maximum: it must be persistence, scaled
    for (int example = 0; example < test.size(); example++) {
      float today = windows[(example * WINDOW + WINDOW - 1) * FEATURES + 1];
      assertEquals(
          test.persistence()[example * HORIZON],
          data.temperature().inverse(today, 0),
          1e-4,
          "example " + example);
    }
  }

  @Test
  void baselinesAreTheRulesTheyAreNamedAfter() {
    SeattleWeather.Period test = data.test();
    int example = 60; // issued 2015-03-01
    assertEquals(LocalDate.of(2015, 3, 1), test.issued()[example]);
    for (int h = 0; h < HORIZON; h++) {
      LocalDate day = LocalDate.of(2015, 3, 2 + h);
      assertEquals(maxOn(LocalDate.of(2015, 3, 1)), test.persistence()[example * HORIZON + h]);
      assertEquals(maxOn(day.minusYears(1)), test.seasonalNaive()[example * HORIZON + h]);
    }
    // a year before a day after 2012's February 29 is 365 days before it, not 366
    SeattleWeather.Period train = data.train();
    int january4 = List.of(train.issued()).indexOf(LocalDate.of(2013, 1, 4));
    assertEquals(maxOn(LocalDate.of(2012, 1, 5)), train.seasonalNaive()[january4 * HORIZON]);
    assertTrue(Float.isNaN(train.seasonalNaive()[0]), "2012 has no year before it");

    // Climatology around the year's end: 2015-01-05 is day 5, and days 356-366 and 1-20 of the
    // training years lie within 15 of it: in the calendar, these four ranges.
    LocalDate[][] ranges = {
      {LocalDate.of(2012, 1, 1), LocalDate.of(2012, 1, 20)},
      {LocalDate.of(2012, 12, 21), LocalDate.of(2012, 12, 31)}, // 2012 is a leap year
      {LocalDate.of(2013, 1, 1), LocalDate.of(2013, 1, 20)},
      {LocalDate.of(2013, 12, 22), LocalDate.of(2013, 12, 31)}
    };
    double sum = 0;
    int count = 0;
    for (LocalDate[] range : ranges) {
      for (LocalDate day = range[0]; !day.isAfter(range[1]); day = day.plusDays(1)) {
        sum += maxOn(day);
        count++;
      }
    }
    assertEquals(61, count);
    int issuedJanuary4 = 4;
    assertEquals(LocalDate.of(2015, 1, 4), test.issued()[issuedJanuary4]);
    assertEquals(sum / count, test.climatology()[issuedJanuary4 * HORIZON], 1e-4);
  }

  @Test
  void meanAbsoluteErrorIsPerDayAheadOrOverall() {
    float[] forecast = new float[2 * HORIZON];
    float[] actual = new float[2 * HORIZON];
    forecast[0] = 1; // example 0, day 1
    forecast[HORIZON] = -3; // example 1, day 1
    forecast[HORIZON + 6] = 7; // example 1, day 7
    actual[1] = Float.NaN; // ignored
    assertEquals(2.0, SeattleWeather.meanAbsoluteError(forecast, actual, 1));
    assertEquals(3.5, SeattleWeather.meanAbsoluteError(forecast, actual, 7));
    assertEquals(0.0, SeattleWeather.meanAbsoluteError(forecast, actual, 2));
    assertEquals(11.0 / 13, SeattleWeather.meanAbsoluteError(forecast, actual), 1e-12);
  }

  @Test
  void theRidgeBaselineMatchesAnIndependentFit() {
    // numpy.linalg.solve on the same windows (float64): λ = 100, MAE 2.73522 °C on 2014 and
    // 2.76746 °C on 2015; persistence 3.55157 and 3.40203.
    RidgeForecast ridge = RidgeForecast.select(data, data.train(), data.validation());
    assertEquals(100, ridge.penalty());
    assertEquals(
        2.73522,
        SeattleWeather.meanAbsoluteError(
            data.toCelsius(ridge.predict(data.validation())), data.validation().actual()),
        2e-3);
    assertEquals(
        2.76746,
        SeattleWeather.meanAbsoluteError(
            data.toCelsius(ridge.predict(data.test())), data.test().actual()),
        2e-3);
    assertEquals(
        3.55157,
        SeattleWeather.meanAbsoluteError(
            data.validation().persistence(), data.validation().actual()),
        1e-4);
    assertEquals(
        3.40203,
        SeattleWeather.meanAbsoluteError(data.test().persistence(), data.test().actual()),
        1e-4);
  }

  @Test
  void aMissingDayIsAnErrorNamingTheRow() throws IOException {
    String csv =
        "date,precipitation,temp_max,temp_min,wind,weather\n"
            + "2012/01/01,0.0,12.8,5.0,4.7,drizzle\n"
            + "2012/01/02,10.9,10.6,2.8,4.5,rain\n"
            + "2012/01/04,20.3,12.2,5.6,4.7,rain\n";
    CsvTable table =
        CsvTable.read(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), "gap.csv");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SeattleWeather.of(table));
    assertEquals(
        "gap.csv: data row 3: 2012/01/04 does not follow 2012/01/02; the file must hold one row"
            + " per day, in order, without gaps",
        e.getMessage());
  }

  @Test
  void aShortFileIsAnErrorSayingWhatIsExpected() throws IOException {
    String csv =
        "date,precipitation,temp_max,temp_min,wind,weather\n"
            + "2012/01/01,0.0,12.8,5.0,4.7,drizzle\n"
            + "2012/01/02,10.9,10.6,2.8,4.5,rain\n";
    CsvTable table =
        CsvTable.read(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), "short.csv");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SeattleWeather.of(table));
    assertEquals(
        "short.csv: expected daily rows from 2012/01/01 to 2015/12/31, found 2012/01/01 to"
            + " 2012/01/02",
        e.getMessage());
  }
}
