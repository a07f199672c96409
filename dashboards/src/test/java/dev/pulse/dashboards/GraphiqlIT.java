package dev.pulse.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.api.PulseApiApplication;
import dev.pulse.api.it.MigratedStore;
import dev.pulse.api.testing.TestIdentity;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * GraphiQL in the development profile, in headless Chromium: every file comes from this server (the
 * page works with the API's Content-Security-Policy, which forbids anything else, and the console
 * shows no violation), and it runs a query signed in with the tab's sign-in link.
 */
@ExtendWith(ClickHouseExtension.class)
@SpringBootTest(
    classes = PulseApiApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("dev")
class GraphiqlIT {

  private static TestClickHouse server;

  @DynamicPropertySource
  static void pulse(DynamicPropertyRegistry registry) {
    MigratedStore.register(registry, () -> server);
  }

  @BeforeAll
  static void store(TestClickHouse ch) {
    server = ch;
    ch.migratedDatabase();
  }

  @LocalServerPort private int port;

  private ChromeDriver browser;

  @AfterEach
  void stopBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void graphiqlLoadsOnlyLocalFilesAndRunsASignedInQuery() throws Exception {
    browser = HeadlessChromium.start();
    String token =
        TestIdentity.caller("dev").name("Dana Dev").tenant("tenant-g").roles("sre").sign();
    browser.get("http://localhost:" + port + "/graphiql#token=" + token);
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
    wait.until(d -> !d.findElements(By.cssSelector(".graphiql-execute-button")).isEmpty());
    browser.findElement(By.cssSelector(".graphiql-execute-button")).click();
    wait.until(
        d ->
            d.findElements(By.cssSelector(".result-window, .graphiql-response")).stream()
                .anyMatch(e -> e.getText().contains("tenant-g")));
    assertThat(browser.findElement(By.cssSelector(".result-window, .graphiql-response")).getText())
        .contains("Dana Dev")
        .contains("SRE");
    List<LogEntry> console = browser.manage().logs().get(LogType.BROWSER).getAll();
    assertThat(console)
        .as("browser console")
        .noneMatch(e -> e.getMessage().contains("Content Security Policy"))
        // The browser asks for /favicon.ico on its own; Pulse has none.
        .noneMatch(
            e ->
                e.getMessage().contains("Failed to load resource")
                    && !e.getMessage().contains("/favicon.ico"));
    Path screenshots = Path.of("target", "screenshots");
    Files.createDirectories(screenshots);
    Files.write(screenshots.resolve("graphiql.png"), browser.getScreenshotAs(OutputType.BYTES));
  }
}
