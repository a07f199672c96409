package dev.pulse.dashboards;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.graphql.test.tester.HttpGraphQlTester;

/**
 * What the browser tests do the same way: open a page signed in, read its status and its tables'
 * exact values, ask the API what the page should show, keep screenshots.
 */
final class BrowserPages {

  private BrowserPages() {}

  /**
   * A table's rows by key ({@code tr[data-key]}): field ({@code td[data-field]}) -> exact value
   * ({@code data-value}), read in one script call, so a re-render by the page cannot change it
   * half-way.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Map<String, String>> table(ChromeDriver browser, String id) {
    List<List<Object>> rows =
        (List<List<Object>>)
            browser.executeScript(
                "return Array.from(document.querySelectorAll('#' + arguments[0] + ' tbody tr'))"
                    + ".map(tr => [tr.dataset.key, Array.from(tr.children)"
                    + ".map(td => [td.dataset.field, td.dataset.value])]);",
                id);
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    for (List<Object> row : rows) {
      Map<String, String> cells = new LinkedHashMap<>();
      for (List<String> cell : (List<List<String>>) row.get(1)) {
        cells.put(cell.get(0), cell.get(1));
      }
      out.put((String) row.get(0), cells);
    }
    return out;
  }

  /**
   * Opens {@code url} signed in with {@code token} (a sign-in link) and waits until the page's
   * status has left idle and loading: it shows what it loaded, or why not.
   */
  static void open(ChromeDriver browser, String url, String token) {
    browser.get(url + "#token=" + token);
    new WebDriverWait(browser, Duration.ofSeconds(20))
        .until(
            d -> {
              String state = d.findElement(By.id("status")).getDomAttribute("data-state");
              return !"idle".equals(state) && !"loading".equals(state);
            });
  }

  /** The status line's data-state: loaded, forbidden, error ... */
  static String state(ChromeDriver browser) {
    return browser.findElement(By.id("status")).getDomAttribute("data-state");
  }

  /** The list at {@code path} of {@code document}'s answer, asked with {@code token}. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> api(
      HttpGraphQlTester anonymous, String token, String document, String path) {
    return anonymous
        .mutate()
        .header("Authorization", "Bearer " + token)
        .build()
        .document(document)
        .execute()
        .errors()
        .verify()
        .path(path)
        .entityList(Map.class)
        .get()
        .stream()
        .map(m -> (Map<String, Object>) m)
        .toList();
  }

  /** Keeps the page as it looks in target/screenshots/{@code name}. */
  static void screenshot(ChromeDriver browser, String name) throws Exception {
    Path dir = Path.of("target", "screenshots");
    Files.createDirectories(dir);
    Files.write(dir.resolve(name), browser.getScreenshotAs(OutputType.BYTES));
  }
}
