package com.example;

import java.util.Random;

/** The user's own main class: trains {@link LineFit} for a few steps and prints each loss. */
public class Train {

  public static void main(String[] args) {
    Random random = new Random(1);
    float[] x = new float[8];
    float[] y = new float[8];
    try (LineFitLoop loop = LineFitLoop.create(new LineFit())) {
      for (int step = 1; step <= 20; step++) {
        for (int i = 0; i < x.length; i++) {
          x[i] = random.nextFloat() * 2 - 1;
          y[i] = 2 * x[i] + 1;
        }
        System.out.println("step " + step + ": loss " + loop.step(x, y));
      }
      float[] at0 = loop.predict(new float[] {0f});
      float[] at1 = loop.predict(new float[] {1f});
      System.out.println("trained: y = " + (at1[0] - at0[0]) + " x + " + at0[0]);
    }
  }
}
