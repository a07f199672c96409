package dev.pulse.api.security;

import dev.pulse.api.support.StringArguments;
import java.util.List;
import java.util.Set;

/**
 * What one educator query may read: the token's tenant, and courses the token names. Made only from
 * the caller, so no argument can widen it: a course argument merely picks one of them. Classroom
 * engagement and the educators' video numbers both read through it.
 *
 * @param tenant the token's tenant
 * @param courses the courses read, all among the token's
 */
public record CourseScope(String tenant, List<String> courses) {

  /** Who reads course data: educators, for their own courses. */
  public static final Set<Role> READERS = Set.of(Role.EDUCATOR);

  /** Every course of the caller (none for a token without courses); {@code what} names the data. */
  public static CourseScope all(Caller caller, String what) {
    caller.require(what, READERS);
    return new CourseScope(caller.tenant().id(), List.copyOf(caller.courses()));
  }

  /** The caller's course {@code course}; FORBIDDEN when the token does not name it. */
  public static CourseScope one(Caller caller, String what, String course) {
    caller.require(what, READERS);
    StringArguments.check("course", course);
    if (!caller.courses().contains(course)) {
      throw new ForbiddenException("the course is not one of this token's courses");
    }
    return new CourseScope(caller.tenant().id(), List.of(course));
  }

  /** The one course of a scope made by {@link #one}. */
  public String course() {
    return courses.get(0);
  }
}
