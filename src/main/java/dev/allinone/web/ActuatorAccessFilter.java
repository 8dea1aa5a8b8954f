package dev.allinone.web;

import dev.allinone.security.ApiKeys;
import dev.allinone.security.Caller;
import dev.allinone.security.UnauthorizedException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.security.Principal;

/**
 * Who may see the Actuator's details: with API keys on, a request that carries a valid key is an authorised
 * caller (Spring Boot's {@code show-details: when-authorized} then shows it the health details: the model,
 * the memory, the conversation store); without a key the probes still answer, with the status alone. With keys
 * off every caller is authorised, as on a machine of one's own. Never refuses a request.
 */
class ActuatorAccessFilter extends OncePerRequestFilter {

    private final ApiKeys keys;

    ActuatorAccessFilter(ApiKeys keys) {
        this.keys = keys;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Principal principal;
        try {
            Caller caller = ApiRequestFilter.authenticate(keys, request);
            String name = caller.keyName() != null ? caller.keyName() : "local";
            principal = () -> name;
        } catch (UnauthorizedException noKey) {
            principal = null;
        }
        if (principal == null) {
            chain.doFilter(request, response);
            return;
        }
        Principal authorised = principal;
        chain.doFilter(new HttpServletRequestWrapper(request) {
            @Override
            public Principal getUserPrincipal() {
                return authorised;
            }
        }, response);
    }
}
