package dev.pulse.oracle;

import java.util.Objects;

/**
 * One player event as the QoE oracle reads it: the contract's fields, with the type as its symbol
 * name (so the oracle needs none of the pipeline's generated classes).
 *
 * @param eventId the player's UUID (compared in lower case)
 * @param tenant the institution
 * @param viewId the view
 * @param video the video
 * @param course the course
 * @param user the viewer
 * @param type the event type's symbol, e.g. {@code FIRST_FRAME}
 * @param timeMs the event time, epoch milliseconds
 * @param bitrateKbps the rendition's bitrate on {@code FIRST_FRAME} and {@code BITRATE_CHANGE}, or
 *     null
 * @param playheadMs the position in the video
 * @param fatal on {@code ERROR}, whether it ended playback
 * @param cdn the CDN
 * @param region the viewer's region
 * @param device the device class
 * @param player the player name and version
 */
public record PlayEvent(
    String eventId,
    String tenant,
    String viewId,
    String video,
    String course,
    String user,
    String type,
    long timeMs,
    Integer bitrateKbps,
    long playheadMs,
    boolean fatal,
    String cdn,
    String region,
    String device,
    String player) {

  public PlayEvent {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(viewId, "viewId");
    Objects.requireNonNull(type, "type");
  }

  /** The view this event belongs to. */
  public ViewKey key() {
    return new ViewKey(tenant, viewId);
  }

  /**
   * A view: one (tenant, view id).
   *
   * @param tenant the institution
   * @param viewId the view id
   */
  public record ViewKey(String tenant, String viewId) implements Comparable<ViewKey> {
    @Override
    public int compareTo(ViewKey o) {
      int c = tenant.compareTo(o.tenant);
      return c != 0 ? c : viewId.compareTo(o.viewId);
    }
  }
}
