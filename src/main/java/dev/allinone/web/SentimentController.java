package dev.allinone.web;

import dev.allinone.sentiment.Sentiment;
import dev.allinone.sentiment.SentimentAnalyst;
import dev.allinone.sentiment.SentimentScores;
import dev.allinone.web.errors.ApiController;
import dev.allinone.web.errors.ProblemResponses;
import dev.langchain4j.service.Result;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;

/** {@code POST /api/sentiment}: the sentiment of one text, with each label's probability. */
@RestController
@ApiController
@RequestMapping("/api")
@Tag(name = "Sentiment", description = "How a customer feels, in English or Chinese")
class SentimentController {

    record SentimentRequest(@Text String text) {
    }

    record SentimentResponse(Sentiment sentiment, Map<Sentiment, Double> scores) {
    }

    private final SentimentAnalyst analyst;
    private final InputLimits limits;

    SentimentController(SentimentAnalyst analyst, InputLimits limits) {
        this.analyst = analyst;
        this.limits = limits;
    }

    @Operation(summary = "Label a text POSITIVE, NEGATIVE or NEUTRAL, with each label's probability")
    @ProblemResponses
    @PostMapping("/sentiment")
    ResponseEntity<SentimentResponse> analyze(@Valid @RequestBody SentimentRequest request) {
        limits.check("text", request.text());
        Result<Sentiment> answer = analyst.analyzeWithDetails(request.text());
        SentimentScores result = SentimentScores.of(answer);
        ResponseEntity.BodyBuilder response = ResponseEntity.ok();
        ServerTiming.of(answer.finalResponse()).ifPresent(timing -> response.header(ServerTiming.HEADER, timing));
        return response.body(new SentimentResponse(result.sentiment(), result.scores()));
    }
}
