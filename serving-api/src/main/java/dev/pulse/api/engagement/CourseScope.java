package dev.pulse.api.engagement;

import dev.pulse.api.security.Caller;
import dev.pulse.api.security.ForbiddenException;
import dev.pulse.api.security.Role;
import dev.pulse.api.support.StringArguments;
import java.util.List;
import java.util.Set;

/**
 * What one engagement query may read: the token's tenant, and courses the token names. Made only
 * from the caller, so no argument can widen it: a course argument merely picks one of them.
 *
 * @param tenant the token's tenant
 * @param courses the courses read, all among the token's
 */
record CourseScope(String tenant, List<String> courses) {

  /** Who reads classroom engagement: educators, for their own courses. */
  static final Set<Role> READERS = Set.of(Role.EDUCATOR);

  /** Every course of the caller (none for a token without courses). */
  static CourseScope all(Caller caller) {
    caller.require("classroom engagement", READERS);
    return new CourseScope(caller.tenant().id(), List.copyOf(caller.courses()));
  }

  /** The caller's course {@code course}; FORBIDDEN when the token does not name it. */
  static CourseScope one(Caller caller, String course) {
    caller.require("classroom engagement", READERS);
    StringArguments.check("course", course);
    if (!caller.courses().contains(course)) {
      throw new ForbiddenException("the course is not one of this token's courses");
    }
    return new CourseScope(caller.tenant().id(), List.of(course));
  }

  /** The one course of a scope made by {@link #one}. */
  String course() {
    return courses.get(0);
  }
}
