package dev.pulse.slo;

/**
 * One thing wrong with an SLO file: where (the file, and the 1-based line and column of the value)
 * and what, written for the person who edits the file.
 */
public record SloProblem(String file, int line, int column, String message) {

  @Override
  public String toString() {
    return file + ":" + line + ":" + column + ": " + message;
  }
}
