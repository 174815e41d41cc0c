/** Watching a run: console output of each epoch's results. */
package io.github.tfloop.monitor;
