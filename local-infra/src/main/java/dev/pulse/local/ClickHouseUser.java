package dev.pulse.local;

/**
 * A ClickHouse user of a local server and its password.
 *
 * @param name the user name
 * @param password its password
 */
public record ClickHouseUser(String name, String password) {

  /** Never the password. */
  @Override
  public String toString() {
    return "ClickHouseUser[" + name + "]";
  }
}
