package dev.pulse.api.qoe;

/** What a QoE breakdown groups by: a dimension of the views, and its column in the QoE tables. */
public enum QoeDimension {
  VIDEO("video_id"),
  COURSE("course_id"),
  CDN("cdn"),
  REGION("region"),
  DEVICE("device"),
  PLAYER("player");

  private final String column;

  QoeDimension(String column) {
    this.column = column;
  }

  String column() {
    return column;
  }

  /** The filter's value for this dimension, or null. */
  String of(QoeFilter filter) {
    return switch (this) {
      case VIDEO -> filter.video();
      case COURSE -> filter.course();
      case CDN -> filter.cdn();
      case REGION -> filter.region();
      case DEVICE -> filter.device();
      case PLAYER -> filter.player();
    };
  }
}
