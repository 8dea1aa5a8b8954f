package dev.allinone.web;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Text that says something: not null and not only whitespace, counting every Unicode space (an ideographic
 * space U+3000 is blank too, which {@code @NotBlank} does not see); and text at all: no unpaired surrogate (a JSON
 * escape like {@code "\ud800"} alone), which could not be stored or encoded and would come back as {@code ?}.
 */
@Target({ElementType.FIELD, ElementType.RECORD_COMPONENT, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = Text.Validator.class)
@interface Text {

    String message() default "must not be blank";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<Text, String> {
        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            if (value != null && UnicodeText.hasLoneSurrogate(value)) {
                context.disableDefaultConstraintViolation();
                context.buildConstraintViolationWithTemplate("must be valid Unicode text (it holds an unpaired surrogate)")
                        .addConstraintViolation();
                return false;
            }
            return !UnicodeText.isBlank(value);
        }
    }
}
