package io.github.tfloop.sample;

import static io.github.tfloop.sample.SeattleWeather.HORIZON;

import io.github.tfloop.data.FloatColumn;

/**
 * A linear forecast, for comparison with the network: ridge regression of the {@link
 * SeattleWeather#HORIZON} scaled maxima on every value of the window (84 of them), fitted in closed
 * form, {@code W = (AᵀA + λI)⁻¹ AᵀB} on centred data, by Cholesky decomposition.
 */
public final class RidgeForecast {

  /** The penalties {@link #select} tries. */
  public static final double[] PENALTIES = {0.1, 1, 10, 100, 1000};

  private final double penalty;
  private final double[] inputMean;
  private final double[] targetMean;
  private final double[][] weights;

  private RidgeForecast(
      double penalty, double[] inputMean, double[] targetMean, double[][] weights) {
    this.penalty = penalty;
    this.inputMean = inputMean;
    this.targetMean = targetMean;
    this.weights = weights;
  }

  /** The ridge regression of {@code train}'s targets on its windows with penalty {@code λ}. */
  public static RidgeForecast fit(SeattleWeather.Period train, double penalty) {
    float[] inputs = windows(train);
    float[] targets = targets(train);
    int n = train.size();
    int width = inputs.length / n;
    double[] inputMean = columnMeans(inputs, n, width);
    double[] targetMean = columnMeans(targets, n, HORIZON);
    double[][] gram = new double[width][width];
    double[][] cross = new double[width][HORIZON];
    double[] x = new double[width];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < width; j++) {
        x[j] = inputs[i * width + j] - inputMean[j];
      }
      for (int j = 0; j < width; j++) {
        for (int k = 0; k <= j; k++) {
          gram[j][k] += x[j] * x[k];
        }
        for (int h = 0; h < HORIZON; h++) {
          cross[j][h] += x[j] * (targets[i * HORIZON + h] - targetMean[h]);
        }
      }
    }
    for (int j = 0; j < width; j++) {
      gram[j][j] += penalty;
    }
    double[][] lower = cholesky(gram);
    double[][] weights = new double[width][HORIZON];
    for (int h = 0; h < HORIZON; h++) {
      double[] column = new double[width];
      for (int j = 0; j < width; j++) {
        column[j] = cross[j][h];
      }
      double[] solved = solve(lower, column);
      for (int j = 0; j < width; j++) {
        weights[j][h] = solved[j];
      }
    }
    return new RidgeForecast(penalty, inputMean, targetMean, weights);
  }

  /**
   * The fit on {@code train} whose penalty, of {@link #PENALTIES}, gives the lowest MAE on {@code
   * validation}.
   */
  public static RidgeForecast select(
      SeattleWeather data, SeattleWeather.Period train, SeattleWeather.Period validation) {
    RidgeForecast best = null;
    double bestError = Double.POSITIVE_INFINITY;
    for (double penalty : PENALTIES) {
      RidgeForecast candidate = fit(train, penalty);
      double error =
          SeattleWeather.meanAbsoluteError(
              data.toCelsius(candidate.predict(validation)), validation.actual());
      if (error < bestError) {
        best = candidate;
        bestError = error;
      }
    }
    return best;
  }

  /** The penalty λ. */
  public double penalty() {
    return penalty;
  }

  /** The scaled forecasts for {@code period}, {@link SeattleWeather#HORIZON} per example. */
  public float[] predict(SeattleWeather.Period period) {
    float[] inputs = windows(period);
    int width = inputMean.length;
    float[] forecast = new float[period.size() * HORIZON];
    for (int i = 0; i < period.size(); i++) {
      for (int h = 0; h < HORIZON; h++) {
        double value = targetMean[h];
        for (int j = 0; j < width; j++) {
          value += (inputs[i * width + j] - inputMean[j]) * weights[j][h];
        }
        forecast[i * HORIZON + h] = (float) value;
      }
    }
    return forecast;
  }

  private static float[] windows(SeattleWeather.Period period) {
    return ((FloatColumn) period.data().column(SeattleWeather.DAYS)).values();
  }

  private static float[] targets(SeattleWeather.Period period) {
    return ((FloatColumn) period.data().column(SeattleWeather.MAX_TEMP)).values();
  }

  private static double[] columnMeans(float[] values, int rows, int width) {
    double[] mean = new double[width];
    for (int i = 0; i < rows * width; i++) {
      mean[i % width] += values[i] / rows;
    }
    return mean;
  }

  /** The lower triangle {@code L} of a symmetric positive definite {@code a = L·Lᵀ}. */
  private static double[][] cholesky(double[][] a) {
    int n = a.length;
    double[][] lower = new double[n][n];
    for (int j = 0; j < n; j++) {
      double diagonal = a[j][j];
      for (int k = 0; k < j; k++) {
        diagonal -= lower[j][k] * lower[j][k];
      }
      lower[j][j] = Math.sqrt(diagonal);
      for (int i = j + 1; i < n; i++) {
        double sum = a[i][j];
        for (int k = 0; k < j; k++) {
          sum -= lower[i][k] * lower[j][k];
        }
        lower[i][j] = sum / lower[j][j];
      }
    }
    return lower;
  }

  /** {@code x} with {@code L·Lᵀ·x = b}. */
  private static double[] solve(double[][] lower, double[] b) {
    int n = b.length;
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      double sum = b[i];
      for (int k = 0; k < i; k++) {
        sum -= lower[i][k] * y[k];
      }
      y[i] = sum / lower[i][i];
    }
    double[] x = new double[n];
    for (int i = n - 1; i >= 0; i--) {
      double sum = y[i];
      for (int k = i + 1; k < n; k++) {
        sum -= lower[k][i] * x[k];
      }
      x[i] = sum / lower[i][i];
    }
    return x;
  }
}
