package dev.allinone.web.errors;

import org.apache.catalina.Lifecycle;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * Puts {@link TomcatErrorValve} in the place of Tomcat's HTML error page (keeping Spring Boot's choices about
 * what that page shows, for the host application's paths), and with {@code allinone.openai.allow-encoded-slash}
 * lets an encoded {@code /} through to the application, as {@code GET /v1/models/Qwen%2FQwen1.5-0.5B-Chat} from
 * OpenAI's SDKs needs. That is a setting of the whole server ("passthrough": {@code %2F} stays encoded, so it
 * never turns into a path separator); the service turns it on, an application using this library decides.
 */
public class TomcatErrorsCustomizer implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

    private final ErrorResponses responses;
    private final boolean allowEncodedSlash;

    public TomcatErrorsCustomizer(ErrorResponses responses, boolean allowEncodedSlash) {
        this.responses = responses;
        this.allowEncodedSlash = allowEncodedSlash;
    }

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        String contextPath = factory.getContextPath();
        factory.addContextCustomizers(context -> {
            if (context.getParent() instanceof StandardHost host) {
                host.setErrorReportValveClass(TomcatErrorValve.class.getName());
                // After every customizer (Boot adds its own valve in one): swap it when the host starts.
                host.addLifecycleListener(event -> {
                    if (Lifecycle.BEFORE_START_EVENT.equals(event.getType())) {
                        install(host, contextPath);
                    }
                });
            }
        });
        if (allowEncodedSlash) {
            factory.addConnectorCustomizers(connector -> connector.setEncodedSolidusHandling("passthrough"));
        }
    }

    private void install(StandardHost host, String contextPath) {
        boolean showReport = true, showServerInfo = true;
        for (Valve valve : host.getPipeline().getValves()) {
            if (valve instanceof TomcatErrorValve) {
                return;
            }
            if (valve instanceof ErrorReportValve page) {
                showReport = page.isShowReport();
                showServerInfo = page.isShowServerInfo();
                host.getPipeline().removeValve(valve);
            }
        }
        TomcatErrorValve json = new TomcatErrorValve(responses, contextPath);
        json.setShowReport(showReport);
        json.setShowServerInfo(showServerInfo);
        host.getPipeline().addValve(json);
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
