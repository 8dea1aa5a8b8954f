package dev.allinone.web;

import dev.allinone.extraction.Ticket;
import dev.allinone.extraction.TicketExtractor;
import dev.allinone.web.errors.ApiController;
import dev.allinone.web.errors.ProblemResponses;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /api/extract}: a customer message filed as a ticket (order numbers, products, urgency, summary). */
@RestController
@ApiController
@RequestMapping("/api")
@Tag(name = "Extraction", description = "Order numbers, products, keywords, urgency and a summary of a message")
class ExtractionController {

    record ExtractionRequest(@Text String text) {
    }

    private final TicketExtractor extractor;
    private final InputLimits limits;

    ExtractionController(TicketExtractor extractor, InputLimits limits) {
        this.extractor = extractor;
        this.limits = limits;
    }

    @Operation(summary = "File a customer message as a ticket: always a valid ticket, whatever the model writes")
    @ProblemResponses
    @PostMapping("/extract")
    Ticket extract(@Valid @RequestBody ExtractionRequest request) {
        limits.check("text", request.text());
        return extractor.extract(request.text());
    }
}
