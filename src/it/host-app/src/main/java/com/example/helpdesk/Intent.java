package com.example.helpdesk;

/** What a customer wants. */
public enum Intent {
    ORDER_STATUS,
    REFUND,
    COMPLAINT,
    PRODUCT_QUESTION,
    OTHER
}
