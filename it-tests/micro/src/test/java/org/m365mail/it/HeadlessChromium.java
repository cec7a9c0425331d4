package org.m365mail.it;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Debian's Chromium, headless, driven through Debian's chromedriver: nothing is downloaded (the machine's network is
 * closed), and the flags keep Chromium from calling home at start. The stand-in's certificate is self-signed, so
 * certificate errors are ignored, for this test browser only.
 */
public final class HeadlessChromium {

    static final String BROWSER = System.getProperty("chromium.binary", "/usr/bin/chromium");
    static final String DRIVER = System.getProperty("chromedriver.binary", "/usr/bin/chromedriver");

    private HeadlessChromium() {
    }

    public static ChromeDriver start(Path workDir) throws IOException {
        if (!new File(BROWSER).canExecute() || !new File(DRIVER).canExecute()) {
            throw new IllegalStateException("The browser test needs Debian's chromium and chromium-driver ("
                    + BROWSER + ", " + DRIVER + "): run the tests with ./run-tests.sh, which installs them, or "
                    + "apt-get install chromium chromium-driver");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--ignore-certificate-errors",
                "--user-data-dir=" + Files.createTempDirectory(workDir, "chromium-profile").toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER))
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }
}
