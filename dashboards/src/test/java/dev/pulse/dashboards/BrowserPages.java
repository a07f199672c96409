package dev.pulse.dashboards;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;

/** What the browser tests read off a page the same way: its tables' exact values, screenshots. */
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

  /** Keeps the page as it looks in target/screenshots/{@code name}. */
  static void screenshot(ChromeDriver browser, String name) throws Exception {
    Path dir = Path.of("target", "screenshots");
    Files.createDirectories(dir);
    Files.write(dir.resolve(name), browser.getScreenshotAs(OutputType.BYTES));
  }
}
