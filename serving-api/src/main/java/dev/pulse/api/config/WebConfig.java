package dev.pulse.api.config;

import dev.pulse.api.security.DevTokenFilter;
import dev.pulse.api.security.DevTokens;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Web wiring: the development-identity filter on the GraphQL HTTP endpoint. */
@Configuration(proxyBeanMethods = false)
public class WebConfig {

  @Bean
  FilterRegistrationBean<DevTokenFilter> devTokenFilter(DevTokens tokens) {
    FilterRegistrationBean<DevTokenFilter> registration =
        new FilterRegistrationBean<>(new DevTokenFilter(tokens));
    registration.addUrlPatterns("/graphql", "/graphql/*");
    return registration;
  }
}
