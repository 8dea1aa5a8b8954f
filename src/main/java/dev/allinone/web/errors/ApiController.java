package dev.allinone.web.errors;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks this library's controllers ({@code /api}, {@code /v1}): {@link ApiErrorResolver} renders their errors,
 * and leaves the host application's controllers to the host's own error handling.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
public @interface ApiController {
}
