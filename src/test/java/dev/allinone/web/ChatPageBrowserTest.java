package dev.allinone.web;

import dev.allinone.testing.RunningApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chat page in a real browser (Debian's headless Chromium, driven by Selenium): send a message, watch the
 * answer stream in and the message's mood appear, reload and find the history, use it on a phone-sized
 * screen, delete the conversation. Screenshots go to target/screenshots.
 *
 * <p>Needs /usr/bin/chromium and /usr/bin/chromedriver (Debian's chromium and chromium-driver packages, which
 * .ci/run installs). Without them the test is skipped, unless ALLINONE_REQUIRE_BROWSER is set (CI sets it).
 */
class ChatPageBrowserTest extends ApiTestBase {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static WebDriver browser;

    @BeforeAll
    static void startBrowser() throws IOException {
        boolean available = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!available && System.getenv("ALLINONE_REQUIRE_BROWSER") != null) {
            throw new IllegalStateException("Chromium is required: apt-get install chromium chromium-driver");
        }
        Assumptions.assumeTrue(available, "Chromium not installed (apt-get install chromium chromium-driver)");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + Files.createTempDirectory("chromium"), "--window-size=1280,900");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
        browser = new ChromeDriver(service, options);
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    private WebDriverWait waitUpTo(int seconds) {
        return new WebDriverWait(browser, Duration.ofSeconds(seconds));
    }

    private static void screenshot(String name) throws IOException {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** Where the conversation list's right edge is on screen, once its slide transition is over. */
    private static double drawerRight() {
        Object right = ((JavascriptExecutor) browser).executeScript(
                "return document.getElementById('conversations').getBoundingClientRect().right");
        return ((Number) right).doubleValue();
    }

    @Test
    void chatSeeTheStreamedAnswerAndTheMoodReloadAndDelete() throws IOException {
        browser.manage().window().setSize(new Dimension(1280, 900));
        browser.get("http://127.0.0.1:" + port + "/");
        assertThat(browser.getTitle()).isEqualTo("allinone · support chat");
        ((JavascriptExecutor) browser).executeScript("localStorage.clear()"); // a first visit
        browser.navigate().refresh();

        WebElement input = waitUpTo(10).until(ExpectedConditions.elementToBeClickable(By.id("input")));
        input.sendKeys("Hello! 我的包裹还没到 📦");
        input.sendKeys(Keys.ENTER);

        WebElement answer;
        try {
            answer = waitUpTo(60).until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector(".message.assistant[data-done='true']")));
        } catch (RuntimeException e) { // what the person saw, for the build log and artifacts
            screenshot("chat-page-failure.png");
            System.out.println("Page when the answer did not arrive:\n" + browser.getPageSource());
            throw e;
        }
        String answerText = answer.findElement(By.cssSelector(".text")).getText();
        assertThat(answerText).isNotBlank();
        WebElement mood = browser.findElement(By.cssSelector(".message.user .sentiment"));
        String sentiment = mood.getAttribute("data-sentiment");
        assertThat(sentiment).isIn("POSITIVE", "NEGATIVE", "NEUTRAL");
        assertThat(mood.getText()).matches("(😊 ?Positive|😟 ?Negative|😐 ?Neutral)");
        assertThat(browser.findElement(By.cssSelector(".message.user .text")).getText()).isEqualTo("Hello! 我的包裹还没到 📦");
        // Once the answer is done, the message's ticket appears under it.
        WebElement ticket = waitUpTo(60).until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector(".message.user .ticket")));
        assertThat(ticket.getAttribute("data-urgency")).matches("LOW|NORMAL|HIGH|URGENT|");
        WebElement listed = browser.findElement(By.cssSelector("#conversation-list li.active"));
        String id = listed.getAttribute("data-id");
        assertThat(listed.getText()).startsWith("Hello!");
        screenshot("chat-page.png");

        // Reload: the conversation and its history come back from the server.
        browser.navigate().refresh();
        List<WebElement> restored = waitUpTo(10).until(d -> {
            List<WebElement> m = d.findElements(By.cssSelector(".message"));
            return m.size() == 2 ? m : null;
        });
        assertThat(restored.get(0).getAttribute("class")).contains("user");
        assertThat(restored.get(1).findElement(By.cssSelector(".text")).getText()).isEqualTo(answerText);
        assertThat(browser.findElement(By.cssSelector(".message.user .sentiment")).getAttribute("data-sentiment"))
                .isEqualTo(sentiment);

        // A phone-sized screen: the conversation list folds away behind a button.
        browser.manage().window().setSize(new Dimension(390, 844));
        WebElement toggle = waitUpTo(5).until(ExpectedConditions.visibilityOfElementLocated(By.id("toggle-list")));
        waitUpTo(5).until(d -> drawerRight() <= 0); // folded away, its slide finished
        WebElement composer = browser.findElement(By.id("input"));
        assertThat(composer.isDisplayed()).isTrue();
        assertThat(composer.getRect().getX()).isGreaterThanOrEqualTo(0);
        assertThat(composer.getRect().getX() + composer.getRect().getWidth()).isLessThanOrEqualTo(390);
        screenshot("chat-page-phone.png");
        toggle.click();
        waitUpTo(5).until(d -> drawerRight() > 200); // slid in over the messages
        screenshot("chat-page-phone-conversations.png");
        browser.findElement(By.cssSelector("#conversation-list li")).click(); // picking one folds it away
        waitUpTo(5).until(d -> drawerRight() <= 0);

        // Delete: gone from the list and from the server.
        browser.manage().window().setSize(new Dimension(1280, 900));
        browser.findElement(By.id("delete-conversation")).click();
        waitUpTo(10).until(d -> d.findElements(By.cssSelector("#conversation-list li")).isEmpty());
        assertThat(http.get("/api/conversations/" + id).status()).isEqualTo(404);
    }

    @Test
    void aMessageTheServiceRefusesIsShownWithTheReason() throws IOException {
        browser.manage().window().setSize(new Dimension(1280, 900));
        browser.get("http://127.0.0.1:" + port + "/");
        ((JavascriptExecutor) browser).executeScript("localStorage.clear()");
        browser.navigate().refresh();

        WebElement input = waitUpTo(10).until(ExpectedConditions.elementToBeClickable(By.id("input")));
        // Longer than allinone.api.max-input-tokens: typed in one go rather than key by key.
        ((JavascriptExecutor) browser).executeScript("arguments[0].value = arguments[1]", input, "help ".repeat(2000));
        input.sendKeys(Keys.ENTER);

        WebElement banner = waitUpTo(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("banner")));
        assertThat(banner.getText()).contains("tokens");
        assertThat(browser.findElements(By.cssSelector(".message"))).isEmpty();
        assertThat(input.getAttribute("value")).startsWith("help help"); // still there to be edited
        assertThat(browser.findElements(By.cssSelector("#conversation-list li"))).isEmpty();
        screenshot("chat-page-refused.png");
    }

    @Test
    void withApiKeysThePageAsksForTheKeyOnceAndKeepsIt() throws IOException {
        String key = "browser-key-0123456789abcdef0123456789abcdef";
        try (RunningApp keyed = RunningApp.start("allinone.conversations.store=memory", "allinone.security.api-keys.web="
                + java.util.HexFormat.of().formatHex(dev.allinone.security.ApiKeys.sha256(key)))) {
            browser.manage().window().setSize(new Dimension(1280, 900));
            browser.get("http://127.0.0.1:" + keyed.port() + "/");
            ((JavascriptExecutor) browser).executeScript("localStorage.clear()");
            browser.navigate().refresh();

            WebElement input = waitUpTo(10).until(ExpectedConditions.elementToBeClickable(By.id("input")));
            input.sendKeys("Hello, is anyone there?");
            input.sendKeys(Keys.ENTER);
            WebElement keyInput = waitUpTo(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("key-input")));
            screenshot("chat-page-api-key.png");
            keyInput.sendKeys("wrong key");
            browser.findElement(By.id("key-ok")).click();
            // Refused: asked again, saying so.
            waitUpTo(10).until(ExpectedConditions.textToBePresentInElementLocated(By.id("key-message"), "not accepted"));
            keyInput = waitUpTo(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("key-input")));
            keyInput.sendKeys(key);
            browser.findElement(By.id("key-ok")).click();

            waitUpTo(60).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".message.assistant[data-done='true']")));
            // Reloaded, the page uses the kept key: the history comes back without asking.
            browser.navigate().refresh();
            waitUpTo(10).until(d -> d.findElements(By.cssSelector(".message")).size() == 2);
            assertThat(browser.findElement(By.id("key-dialog")).isDisplayed()).isFalse();
        }
    }
}
