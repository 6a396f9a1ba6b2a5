"""Does scan time grow linearly with the input? (issue 13, item 4)

    python scripts/benchmark_scaling.py [--n 10]

Writes N, 4N and 16N copies of a realistic Terraform root module (a local module
called with count and for_each, policies, a network with public and private
subnets) and of a CloudFormation stack, scans each set with a fresh cache, and
prints wall seconds and peak memory (wait4 of the scan process). Goals: time(16N)
<= 17 * time(N); memory beyond the interpreter's base grows sub-linearly.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT_TF = """module "net" {
  source = "../modules/net"
  cidr   = "10.%(i)d.0.0/16"
}

module "app" {
  source    = "../modules/app"
  for_each  = toset(["a", "b"])
  name      = "app-%(i)d-${each.key}"
  subnet_id = module.net.private_subnet_id
  vpc_id    = module.net.vpc_id
}

resource "aws_iam_policy" "deploy" {
  name   = "deploy-%(i)d"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:*"], Resource = "*" }]
  })
}

resource "aws_db_instance" "db" {
  count                = 2
  identifier           = "db-%(i)d-${count.index}"
  engine               = "postgres"
  instance_class       = "db.t3.micro"
  allocated_storage    = 20
  db_subnet_group_name = aws_db_subnet_group.db.name
}

resource "aws_db_subnet_group" "db" {
  name       = "db-%(i)d"
  subnet_ids = [module.net.public_subnet_id]
}
"""

NET_TF = """variable "cidr" { type = string }
resource "aws_vpc" "this" { cidr_block = var.cidr }
resource "aws_internet_gateway" "gw" { vpc_id = aws_vpc.this.id }
resource "aws_subnet" "public" {
  vpc_id     = aws_vpc.this.id
  cidr_block = cidrsubnet(var.cidr, 8, 1)
}
resource "aws_subnet" "private" {
  vpc_id     = aws_vpc.this.id
  cidr_block = cidrsubnet(var.cidr, 8, 2)
}
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.gw.id
  }
}
resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}
output "vpc_id" { value = aws_vpc.this.id }
output "public_subnet_id" { value = aws_subnet.public.id }
output "private_subnet_id" { value = aws_subnet.private.id }
"""

APP_TF = """variable "name" { type = string }
variable "subnet_id" { type = string }
variable "vpc_id" { type = string }
resource "aws_security_group" "app" {
  name   = var.name
  vpc_id = var.vpc_id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_instance" "app" {
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.micro"
  subnet_id              = var.subnet_id
  vpc_security_group_ids = [aws_security_group.app.id]
}
"""

STACK_YAML = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env: {Type: String, AllowedValues: [dev, prod]}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.%(i)d.0.0/16}}
  Igw: {Type: AWS::EC2::InternetGateway}
  Attach: {Type: AWS::EC2::VPCGatewayAttachment, Properties: {VpcId: !Ref Vpc,
           InternetGatewayId: !Ref Igw}}
  Public: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.%(i)d.1.0/24}}
  Rt: {Type: AWS::EC2::RouteTable, Properties: {VpcId: !Ref Vpc}}
  Route: {Type: AWS::EC2::Route, Properties: {RouteTableId: !Ref Rt,
          DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Igw}}
  Assoc: {Type: AWS::EC2::SubnetRouteTableAssociation, Properties: {SubnetId: !Ref Public,
          RouteTableId: !Ref Rt}}
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: app
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22,
           CidrIp: !If [IsProd, 10.0.0.0/8, 0.0.0.0/0]}
  Db:
    Type: AWS::RDS::DBInstance
    Properties: {Engine: postgres, DBInstanceClass: db.t3.micro, AllocatedStorage: "20",
                 PubliclyAccessible: true}
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com},
                     Action: sts:AssumeRole}]
      Policies:
        - PolicyName: all
          PolicyDocument: {Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
"""


def write(base: Path, copies: int) -> None:
    (base / "modules" / "net").mkdir(parents=True)
    (base / "modules" / "app").mkdir(parents=True)
    (base / "modules" / "net" / "main.tf").write_text(NET_TF)
    (base / "modules" / "app" / "main.tf").write_text(APP_TF)
    for i in range(copies):
        root = base / f"env{i:05d}"
        root.mkdir()
        (root / "main.tf").write_text(ROOT_TF % {"i": i % 250})
        (base / "stacks").mkdir(exist_ok=True)
        (base / "stacks" / f"stack{i:05d}.yaml").write_text(STACK_YAML % {"i": i % 250})


def measure(base: Path) -> tuple[float, float, int, int]:
    env = {**os.environ, "IACLINT_CACHE_DIR": str(base / ".cache")}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "linter.cli", "scan", str(base), "-f", "json",
                             "-o", str(base / "report.json")], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    found = len(json.loads((base / "report.json").read_text())["findings"])
    return wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10, help="copies in the smallest set")
    n = parser.parse_args(argv).n
    base_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
    first: tuple[float, float] | None = None
    print(f"{'copies':>7} {'seconds':>8} {'peak MiB':>9} {'time ratio':>10} {'findings':>9} exit")
    for copies in (n, 4 * n, 16 * n):
        with tempfile.TemporaryDirectory(dir=base_dir) as tmp:
            write(Path(tmp), copies)
            wall, peak, code, found = measure(Path(tmp))
        first = first or (wall, peak)
        print(f"{copies:7d} {wall:8.2f} {peak:9.1f} {wall / first[0]:10.2f} {found:9d} {code}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
