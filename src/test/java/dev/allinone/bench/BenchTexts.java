package dev.allinone.bench;

import java.util.List;

/** The inputs of the benchmark: reviews of two lengths in two languages, a chat prompt, a support conversation. */
final class BenchTexts {

    private BenchTexts() {
    }

    /** A review to label; {@code name} says language and rough length in tokens. */
    record Review(String name, String text) {
    }

    static final List<Review> REVIEWS = List.of(
            new Review("EN ~20 tok", "The delivery was two days late and the box was dented, but the headphones work fine."),
            new Review("EN ~120 tok", "I ordered the blue running shoes three weeks ago and paid for express shipping. "
                    + "The tracking page said the parcel was delivered on Monday, but nothing was at my door and my neighbours "
                    + "did not see it either. I called your hotline twice; the first time I waited forty minutes and the line "
                    + "dropped, the second time the agent promised a call back within a day, which never came. I would like "
                    + "either the shoes or a full refund, including the shipping fee, as soon as possible. Please tell me "
                    + "what you need from me."),
            new Review("ZH ~20 tok", "快递比预计晚了两天，包装也压坏了，不过耳机还能正常使用。"),
            new Review("ZH ~120 tok", "我三周前买了一双蓝色跑鞋，还付了加急运费。物流页面显示周一已经签收，可是我家门口什么都没有，"
                    + "邻居也没看到。我给客服热线打了两次电话，第一次等了四十分钟后电话断了，第二次客服答应一天内回电，"
                    + "结果也没有回音。我希望尽快收到鞋子，或者全额退款，包括运费。请告诉我还需要提供什么信息。"));

    private static final List<String> EN_REVIEWS = List.of(
            "The delivery was two days late and the box was dented, but the headphones work fine.",
            "Great blender, strong motor and easy to clean, although the lid feels a little cheap.",
            "I waited three weeks for a refund that never came, and nobody answers my emails.",
            "The jacket fits well and looks exactly like the photos; shipping was quick too.",
            "My phone case cracked after one week of normal use, which is really disappointing.",
            "Customer service replaced the broken lamp within two days without any questions asked.",
            "The coffee beans arrived fresh, but the bag was half empty and the receipt missing.",
            "Average quality for the price; the chair wobbles a bit but does its job.");
    private static final List<String> ZH_REVIEWS = List.of(
            "快递比预计晚了两天，包装也压坏了，不过耳机还能正常使用。",
            "搅拌机马力很足，清洗也方便，就是盖子做工有点粗糙。",
            "等了三个星期的退款一直没到账，发邮件也没人回复。",
            "外套很合身，和图片一模一样，发货速度也很快。",
            "手机壳正常用了一周就裂了，真的很失望。",
            "客服两天内就给我换了坏掉的台灯，没有任何刁难。",
            "咖啡豆很新鲜，但是袋子只装了一半，发票也没有。",
            "这个价格质量一般，椅子有点晃，但还能用。");

    /** A ~20-word review in {@code language} (EN or ZH), different for every {@code n}. */
    static String review(String language, int n) {
        List<String> reviews = language.equals("ZH") ? ZH_REVIEWS : EN_REVIEWS;
        String text = reviews.get(n % reviews.size());
        return language.equals("ZH") ? "订单" + n + "：" + text : "Order " + n + ": " + text;
    }

    /** About 100 prompt tokens with the chat template; {@code n} makes each prompt distinct (no reuse). */
    static String chatPrompt(int n) {
        return "Ticket " + n + ". Hello, I bought a coffee machine from your shop last month. Since yesterday it makes a "
                + "loud noise when it heats the water and the coffee comes out only lukewarm. I have descaled it as the "
                + "manual says and I use filtered water. The warranty card says two years. Could you tell me whether this "
                + "is covered, how I can send the machine in, and how long a repair usually takes?";
    }

    /** A support conversation, one user message per turn. */
    static final List<String> CONVERSATION = List.of(
            "Hi, my order #5521 has not arrived yet.",
            "It was supposed to come last Friday.",
            "The tracking number is ZX88120, it says 'in transit' since Thursday.",
            "I need it for my daughter's birthday on Sunday.",
            "Can you check with the courier what is going on?",
            "好的，谢谢。如果周六之前到不了怎么办？",
            "Could you send a replacement by express instead?",
            "I'd prefer a refund of the shipping fee as well.",
            "My email is still the same as on the account.",
            "Thank you, you have been very helpful!");
}
