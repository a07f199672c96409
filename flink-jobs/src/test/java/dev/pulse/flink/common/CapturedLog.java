package dev.pulse.flink.common;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * The WARN (and worse) messages one logger writes while this is open, as a user reads them in the
 * TaskManager log: log4j2 (the tests' slf4j binding) with an extra appender on that logger.
 */
final class CapturedLog implements AutoCloseable {

  private final List<String> messages = new CopyOnWriteArrayList<>();
  private final String loggerName;
  private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
  private final AbstractAppender appender;

  CapturedLog(Class<?> logger) {
    loggerName = logger.getName();
    appender =
        new AbstractAppender("captured-" + loggerName, null, null, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent event) {
            messages.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
          }
        };
    appender.start();
    Configuration config = context.getConfiguration();
    LoggerConfig own = new LoggerConfig(loggerName, Level.WARN, true);
    own.addAppender(appender, Level.WARN, null);
    config.addLogger(loggerName, own);
    context.updateLoggers();
  }

  /** Every message so far, each as {@code LEVEL message}. */
  List<String> messages() {
    return List.copyOf(messages);
  }

  @Override
  public void close() {
    context.getConfiguration().removeLogger(loggerName);
    context.updateLoggers();
    appender.stop();
  }
}
