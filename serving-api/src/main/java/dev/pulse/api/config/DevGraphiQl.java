package dev.pulse.api.config;

import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * GraphiQL at {@code /graphiql}, in the development profile only: a page of this server's own files
 * (classpath {@code pulse-graphiql/}), so it works under the API's Content-Security-Policy and
 * loads nothing from a CDN (Spring for GraphQL's bundled page loads its scripts from esm.sh).
 */
@Configuration(proxyBeanMethods = false)
@Profile("dev")
public class DevGraphiQl implements WebMvcConfigurer {

  @Override
  public void addResourceHandlers(ResourceHandlerRegistry registry) {
    registry.addResourceHandler("/graphiql/**").addResourceLocations("classpath:/pulse-graphiql/");
  }

  @Override
  public void addViewControllers(ViewControllerRegistry registry) {
    registry.addViewController("/graphiql").setViewName("forward:/graphiql/index.html");
  }
}
