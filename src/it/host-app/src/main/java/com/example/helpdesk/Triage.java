package com.example.helpdesk;

import java.util.List;

/** What the help desk reads out of a customer message. */
public record Triage(Intent intent, List<String> orderNumbers, boolean angry) {
}
