package dev.pulse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The bench loads the pages with the documents the pages send: each of {@link PageQueries}' is the
 * one in the page's script (the dashboards module, on the launcher's classpath), its {@code ${...}}
 * parts written out, whitespace aside.
 */
class PageQueriesTest {

  private static final Pattern CONSTANT =
      Pattern.compile("const ([A-Z_]+) = ([`'])(.*?)\\2;", Pattern.DOTALL);
  private static final Pattern PART = Pattern.compile("\\$\\{([A-Z_]+)\\}");

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "sre/service.js, SERVICES_QUERY, SERVICES",
    "sre/service.js, SERIES_QUERY, SERVICE_SERIES",
    "sre/qoe.js, QUERY, QOE",
    "sre/uptime.js, QUERY, UPTIME",
    "sre/slos.js, QUERY, SLOS",
    "sre/slo.js, QUERY, SLO",
    "educator/course.js, COURSE_QUERY, COURSE",
    "educator/session.js, SESSION_QUERY, SESSION",
    "educator/learner.js, HISTORY_QUERY, LEARNER",
    "educator/video.js, VIDEO_QUERY, VIDEO",
  })
  void theBenchSendsTheDocumentThePageSends(String script, String constant, String field)
      throws Exception {
    String page = document(script, constant);
    String bench = (String) PageQueries.class.getDeclaredField(field).get(null);

    assertThat(normalized(bench)).isEqualTo(normalized(page));
  }

  /** The script's string constant, its ${NAME} parts replaced by their constants. */
  private static String document(String script, String constant) throws IOException {
    String source;
    try (InputStream in =
        PageQueriesTest.class.getClassLoader().getResourceAsStream("static/" + script)) {
      assertThat(in).as("static/" + script + " on the classpath").isNotNull();
      source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Map<String, String> constants = new HashMap<>();
    Matcher m = CONSTANT.matcher(source);
    while (m.find()) {
      constants.put(m.group(1), m.group(3));
    }
    assertThat(constants).as(script).containsKey(constant);
    String text = constants.get(constant);
    Matcher part = PART.matcher(text);
    StringBuilder out = new StringBuilder();
    while (part.find()) {
      assertThat(constants).as(script).containsKey(part.group(1));
      part.appendReplacement(out, Matcher.quoteReplacement(constants.get(part.group(1))));
    }
    part.appendTail(out);
    return out.toString();
  }

  private static String normalized(String document) {
    return document.replaceAll("\\s+", " ").strip();
  }
}
