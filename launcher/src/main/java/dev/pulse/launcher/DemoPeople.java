package dev.pulse.launcher;

import dev.pulse.simulator.Simulator;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The people the demo signs in: per simulated institution an educator of two of its courses, an SRE
 * and an analyst, and one operator; each with the page their link opens.
 */
final class DemoPeople {

  private static final Logger LOG = LoggerFactory.getLogger(DemoPeople.class);

  private DemoPeople() {}

  /** A person and the page their sign-in link opens. */
  record Link(DemoIdentity.Person person, String page) {
    /** The sign-in link: the page, with the token in the fragment (never sent to a server). */
    String url(String base, String token) {
      return base + page + "#token=" + token;
    }
  }

  static List<Link> of(Simulator simulator) {
    List<Link> links = new ArrayList<>();
    List<String> tenants = simulator.tenantIds();
    for (String tenant : tenants) {
      // The courses whose classes come first today: the educator sees one live soon after start.
      List<String> courses = simulator.courseIdsByFirstClass(tenant);
      links.add(
          new Link(
              new DemoIdentity.Person(
                  "educator@" + tenant,
                  "Educator at " + tenant,
                  tenant,
                  List.of("educator"),
                  courses.subList(0, Math.min(2, courses.size()))),
              courses.isEmpty()
                  ? "/"
                  : "/educator/course.html?course="
                      + URLEncoder.encode(courses.get(0), StandardCharsets.UTF_8)));
      links.add(
          new Link(
              new DemoIdentity.Person(
                  "sre@" + tenant, "SRE at " + tenant, tenant, List.of("sre"), List.of()),
              "/sre/service.html"));
      links.add(
          new Link(
              new DemoIdentity.Person(
                  "analyst@" + tenant,
                  "Analyst at " + tenant,
                  tenant,
                  List.of("analyst"),
                  List.of()),
              "/sre/service.html"));
    }
    links.add(
        new Link(
            new DemoIdentity.Person(
                "operator@" + tenants.get(0),
                "Operator at " + tenants.get(0),
                tenants.get(0),
                List.of("operator"),
                List.of()),
            "/"));
    return List.copyOf(links);
  }

  /**
   * Writes fresh sign-in links to {@code file} now and every half of the tokens' lifetime, so a
   * link is at hand after the printed ones expire; closing stops it and deletes the file (its links
   * die with the demo's key anyway).
   */
  static AutoCloseable refreshEvery(
      DemoIdentity identity, List<Link> people, String base, Path file) {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "pulse-demo-sign-in-links");
              t.setDaemon(true);
              return t;
            });
    long every = Math.max(1, identity.lifetime().toSeconds() / 2);
    timer.scheduleAtFixedRate(
        () -> write(identity, people, base, file), 0, every, TimeUnit.SECONDS);
    return () -> {
      timer.shutdownNow();
      Files.deleteIfExists(file);
    };
  }

  private static void write(DemoIdentity identity, List<Link> people, String base, Path file) {
    StringBuilder text =
        new StringBuilder(
            "# Pulse demo sign-in links, written "
                + Instant.now()
                + "; valid "
                + identity.lifetime().toMinutes()
                + " minutes, rewritten every "
                + identity.lifetime().toMinutes() / 2
                + ".\n");
    for (Link link : people) {
      text.append(link.person().name())
          .append('\t')
          .append(link.url(base, identity.token(link.person())))
          .append('\n');
    }
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, text);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      LOG.warn("Could not write the demo's sign-in links to {}", file, e);
    }
  }
}
