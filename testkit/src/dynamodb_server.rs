//! moto's DynamoDB server on 127.0.0.1 (`testkit/dynamodb_server.py`), with one table made from
//! `infra/data.yml`: what the greetings suite and the budgets run the function against.

use std::io::{self, BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The server; stopped when dropped.
#[derive(Debug)]
pub struct DynamoServer {
    pub port: u16,
    pub table: String,
    process: Child,
}

impl DynamoServer {
    /// Starts it on a free port with `table`.
    ///
    /// # Panics
    /// When the project's Python (`make tools`) is missing or the server does not start.
    #[must_use]
    pub fn start(table: &str) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        Self::start_on(port, table)
    }

    /// Starts it on `port`, empty but for `table`: a restart loses what the last one held.
    ///
    /// # Panics
    /// When the project's Python (`make tools`) is missing or the server does not start.
    #[must_use]
    pub fn start_on(port: u16, table: &str) -> Self {
        let root = workspace_root();
        let python = root.join(".tools/venv/bin/python3");
        assert!(
            python.is_file(),
            "{} is missing: run `make tools` (or scripts/tools.sh python) first; the greetings run against moto's DynamoDB",
            python.display()
        );
        let mut process = Command::new(python)
            .arg(root.join("testkit/dynamodb_server.py"))
            .args([port.to_string(), table.to_owned()])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the DynamoDB server starts");
        let mut line = String::new();
        BufReader::new(process.stdout.take().expect("stdout is piped"))
            .read_line(&mut line)
            .expect("the server says it is serving");
        assert!(
            line.starts_with("serving"),
            "the server did not start: {line:?}"
        );
        Self {
            port,
            table: table.to_owned(),
            process,
        }
    }

    #[must_use]
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// What a function needs to reach the table here: its name, the endpoint, credentials.
    #[must_use]
    pub fn function_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("GREETINGS_TABLE", self.table.clone()),
            ("AWS_ENDPOINT_URL_DYNAMODB", self.endpoint()),
            ("AWS_ACCESS_KEY_ID", "testkit".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "testkit".to_owned()),
        ]
    }

    pub fn stop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }

    /// `throttle`, `conflict` or `none`: what the server answers DynamoDB calls with from now on.
    ///
    /// # Errors
    /// When the server does not answer, or refuses the switch.
    pub fn fault(&self, fault: &str) -> io::Result<()> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        write!(
            stream,
            "POST /fault/{fault} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )?;
        let mut reply = String::new();
        stream.read_to_string(&mut reply)?;
        if reply
            .lines()
            .next()
            .is_some_and(|status| status.contains(" 200 "))
        {
            Ok(())
        } else {
            Err(io::Error::other(format!(
                "the fault switch answered {reply}"
            )))
        }
    }
}

impl Drop for DynamoServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}
